import { ignoreUnknown } from "../decider.ts";
import type { AuthType, CredentialEvent, CredentialType, Effect, StoredSecret } from "../events.ts";
import { deletedOwner, updatedOwner, withRuleEvent, type OwnerState } from "../rules/ruleOwner.ts";

export type CredentialState = OwnerState<
  "credentialId",
  {
    credentialName: string;
    credentialType: CredentialType;
    authType: AuthType;
    region: string | null;
    defaultEffect: Effect;
    secret: StoredSecret;
    /** 1 at creation, one more per rotation. */
    secretVersion: number;
    /** The secret before the last rotation, while it stays valid. */
    previous: { secret: StoredSecret; validUntil: string } | null;
  }
>;

export const initialState: CredentialState = { status: "empty" };

export const evolve = (state: CredentialState, event: CredentialEvent): CredentialState => {
  switch (event.type) {
    case "CredentialCreated": {
      if (state.status !== "empty") return state;
      const { at, defaultEffect = "allow", ...fields } = event.data;
      return {
        status: "active",
        ...fields,
        defaultEffect,
        secretVersion: 1,
        previous: null,
        rules: [],
        createdAt: at,
        updatedAt: at,
      };
    }
    case "CredentialUpdated":
      return updatedOwner(state, event.data.changes, event.data.at);
    case "CredentialSecretRotated": {
      if (state.status !== "active") return state;
      const { secret, secretVersion, previousValidUntil, at } = event.data;
      const previous =
        previousValidUntil === null
          ? null
          : { secret: state.secret, validUntil: previousValidUntil };
      return { ...state, secret, secretVersion, previous, updatedAt: at };
    }
    case "CredentialDeleted":
      return deletedOwner(state, "credentialId", event.data.at);
    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      return withRuleEvent(state, event);
    default:
      return ignoreUnknown(event, state);
  }
};
