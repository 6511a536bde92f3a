import type { Decider } from "../decider.ts";
import type { TargetEvent } from "../events.ts";
import type { TargetCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve, initialState, type TargetState } from "./state.ts";

export const targetDecider: Decider<TargetCommand, TargetEvent, TargetState> = {
  initialState,
  evolve,
  decide,
};
