import { describe, expect, it } from "vitest";
import { deciderSpec } from "../../testing/decider.ts";
import { at, userId } from "../../testing/fixtures/common.ts";
import {
  createdUser,
  tokenId,
  userWithRevokedToken,
  userWithToken,
} from "../../testing/fixtures/users.ts";
import { userDecider } from "./decider.ts";

const given = deciderSpec(userDecider);

const create = { type: "CreateUser", userId, userName: "Ada", isAdmin: false, at: at(0) } as const;
const issue = {
  type: "IssueUserToken",
  userId,
  tokenId,
  tokenName: "laptop",
  tokenHash: "hash-1",
  readOnly: false,
  expiresAt: null,
  at: at(1),
} as const;
const revoke = { type: "RevokeUserToken", userId, tokenId, at: at(2) } as const;

describe("user, not created", () => {
  it("creates the user", () => {
    const state = given([]).when(create).then(createdUser());

    expect(state).toEqual({
      status: "active",
      userId,
      userName: "Ada",
      isAdmin: false,
      createdAt: at(0),
      tokens: {},
    });
  });

  it("refuses an empty user name", () => {
    given([])
      .when({ ...create, userName: " " })
      .thenFails("invalid_input", { field: "userName" });
  });

  it("answers user_not_found to IssueUserToken and RevokeUserToken", () => {
    given([]).when(issue).thenFails("user_not_found");
    given([]).when(revoke).thenFails("user_not_found");
  });
});

describe("user, active", () => {
  it("refuses to be created twice", () => {
    given(createdUser()).when(create).thenFails("user_already_exists");
  });

  it("issues a token, keeping only its hash", () => {
    const state = given(createdUser()).when(issue).then(userWithToken().slice(1));

    expect(state.status === "active" && state.tokens[tokenId]).toEqual({
      status: "active",
      tokenName: "laptop",
      tokenHash: "hash-1",
      readOnly: false,
      expiresAt: null,
      issuedAt: at(1),
      revokedAt: null,
    });
  });

  it("issues a read-only token that expires, the expiry normalised to UTC", () => {
    given(createdUser())
      .when({ ...issue, readOnly: true, expiresAt: "2026-02-01T01:00:00+01:00" })
      .then([
        {
          type: "UserTokenIssued",
          data: {
            userId,
            tokenId,
            tokenName: "laptop",
            tokenHash: "hash-1",
            readOnly: true,
            expiresAt: "2026-02-01T00:00:00.000Z",
            at: at(1),
          },
        },
      ]);
  });

  it("refuses an expiry in the past", () => {
    given(createdUser())
      .when({ ...issue, expiresAt: at(0) })
      .thenFails("invalid_input", { field: "expiresAt" });
  });

  it("refuses an expiry that is not a timestamp", () => {
    given(createdUser())
      .when({ ...issue, expiresAt: "tomorrow" })
      .thenFails("invalid_input", { field: "expiresAt" });
  });

  it("refuses an empty token name", () => {
    given(createdUser())
      .when({ ...issue, tokenName: "" })
      .thenFails("invalid_input", { field: "tokenName" });
  });

  it("refuses a token id that is already taken", () => {
    given(userWithToken()).when(issue).thenFails("token_already_exists");
  });

  it("answers token_not_found when revoking an unknown token", () => {
    given(createdUser()).when(revoke).thenFails("token_not_found");
  });

  it("revokes a token", () => {
    const state = given(userWithToken()).when(revoke).then(userWithRevokedToken().slice(2));

    expect(state.status === "active" && state.tokens[tokenId]).toMatchObject({
      status: "revoked",
      revokedAt: at(2),
    });
  });
});

describe("user with a revoked token", () => {
  it("answers token_not_found when revoking it again", () => {
    given(userWithRevokedToken()).when(revoke).thenFails("token_not_found");
  });

  it("never reuses the revoked token's id", () => {
    given(userWithRevokedToken()).when(issue).thenFails("token_already_exists");
  });
});
