import type { Decider } from "../decider.ts";
import type { UserEvent } from "../events.ts";
import type { UserCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve, initialState, type UserState } from "./state.ts";

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState,
  evolve,
  decide,
};
