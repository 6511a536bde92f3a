import type { Decider } from "../decider.ts";
import type { ProxyEvent } from "../events.ts";
import type { ProxyCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve, initialState, type ProxyState } from "./state.ts";

export const proxyDecider: Decider<ProxyCommand, ProxyEvent, ProxyState> = {
  initialState,
  evolve,
  decide,
};
