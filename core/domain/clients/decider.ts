import type { Decider } from "../decider.ts";
import type { ClientEvent } from "../events.ts";
import type { ClientCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve, initialState, type ClientState } from "./state.ts";

export const clientDecider: Decider<ClientCommand, ClientEvent, ClientState> = {
  initialState,
  evolve,
  decide,
};
