import { ignoreUnknown } from "../decider.ts";
import type { AuthType, CredentialEvent, CredentialType, StoredSecret } from "../events.ts";

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
      secret: StoredSecret;
      /** 1 at creation, one more per rotation. */
      secretVersion: number;
      /** The secret before the last rotation, while it stays valid. */
      previous: { secret: StoredSecret; validUntil: string } | null;
      createdAt: string;
      updatedAt: string;
    }
  | { status: "deleted"; credentialId: string; clientId: string; deletedAt: string };

export const initialState: CredentialState = { status: "empty" };

export const evolve = (state: CredentialState, event: CredentialEvent): CredentialState => {
  switch (event.type) {
    case "CredentialCreated": {
      if (state.status !== "empty") return state;
      const { at, ...fields } = event.data;
      return {
        status: "active",
        ...fields,
        secretVersion: 1,
        previous: null,
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
    default:
      return ignoreUnknown(event, state);
  }
};
