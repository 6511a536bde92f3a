import { ignoreUnknown } from "../decider.ts";
import type { UserEvent } from "../events.ts";

export type TokenState = {
  status: "active" | "revoked";
  tokenName: string;
  tokenHash: string;
  readOnly: boolean;
  expiresAt: string | null;
  issuedAt: string;
  revokedAt: string | null;
};

/** Users are never deleted (there is no event for it); their tokens are revoked. */
export type UserState =
  | { status: "empty" }
  | {
      status: "active";
      userId: string;
      userName: string;
      isAdmin: boolean;
      createdAt: string;
      /** Every token ever issued, by token id; revoked ones stay so ids are never reused. */
      tokens: Readonly<Record<string, TokenState>>;
    };

export const initialState: UserState = { status: "empty" };

export const evolve = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case "UserCreated": {
      if (state.status !== "empty") return state;
      const { userId, userName, isAdmin, at } = event.data;
      return { status: "active", userId, userName, isAdmin, createdAt: at, tokens: {} };
    }
    case "UserTokenIssued": {
      if (state.status !== "active") return state;
      const { tokenId, tokenName, tokenHash, readOnly, expiresAt, at } = event.data;
      const token: TokenState = {
        status: "active",
        tokenName,
        tokenHash,
        readOnly,
        expiresAt,
        issuedAt: at,
        revokedAt: null,
      };
      return { ...state, tokens: { ...state.tokens, [tokenId]: token } };
    }
    case "UserTokenRevoked": {
      const token = state.status === "active" ? state.tokens[event.data.tokenId] : undefined;
      if (state.status !== "active" || token === undefined) return state;
      const revoked: TokenState = { ...token, status: "revoked", revokedAt: event.data.at };
      return { ...state, tokens: { ...state.tokens, [event.data.tokenId]: revoked } };
    }
    default:
      return ignoreUnknown(event, state);
  }
};
