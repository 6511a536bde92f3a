import type { Decider } from "../decider.ts";
import type { CredentialEvent } from "../events.ts";
import type { CredentialCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve, initialState, type CredentialState } from "./state.ts";

export const credentialDecider: Decider<CredentialCommand, CredentialEvent, CredentialState> = {
  initialState,
  evolve,
  decide,
};
