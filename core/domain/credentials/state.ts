import type { Rule } from "../../rules/rule.ts";
import { ignoreUnknown } from "../decider.ts";
import type { AuthType, CredentialEvent, CredentialType, Effect, StoredSecret } from "../events.ts";
import { evolveRules } from "../rules/ruleList.ts";

export type CredentialState =
  | { status: "empty" }
  | {
      status: "active";
      credentialId: string;
      clientId: string;
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
      /** In the order they were added. */
      rules: readonly Rule[];
      createdAt: string;
      updatedAt: string;
    }
  | { status: "deleted"; credentialId: string; clientId: string; deletedAt: string };

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
      if (state.status !== "active") return state;
      return { ...state, ...event.data.changes, updatedAt: event.data.at };
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
      if (state.status !== "active") return state;
      return {
        status: "deleted",
        credentialId: state.credentialId,
        clientId: state.clientId,
        deletedAt: event.data.at,
      };
    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      if (state.status !== "active") return state;
      return { ...state, rules: evolveRules(state.rules, event) };
    default:
      return ignoreUnknown(event, state);
  }
};
