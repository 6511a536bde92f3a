/**
 * Users and their tokens (spec §2 "Users and tokens", §3). A token is shown
 * once, in the answer that issues it; Ferry keeps only its keyed hash, and a
 * user may hold several so that rotation needs no downtime.
 */
import { Elysia } from "elysia";
import * as z from "zod";
import { generateUserToken } from "../../../adapters/secrets/randomSecrets.ts";
import { streams } from "../../../core/domain/events.ts";
import { nameSchema, timestampSchema } from "../../../core/domain/fields.ts";
import { userDecider } from "../../../core/domain/users/decider.ts";
import type { TokenView, UserView } from "../../../core/projections/configView.ts";
import { newId } from "../../runtime/ids.ts";
import type { Caller } from "../auth.ts";
import {
  callerOf,
  created,
  metadataOf,
  noContent,
  nowIso,
  writerOf,
  type CoreApiDeps,
} from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { execute } from "../execute.ts";
import { parseWith, readJsonObject } from "../input.ts";

const tokenInput = z
  .object({
    tokenName: nameSchema.optional(),
    name: nameSchema.optional(),
    expiresAt: timestampSchema.nullable().default(null),
    readOnly: z.boolean({ error: "must be a boolean" }).default(false),
  })
  .transform(({ name, tokenName, ...rest }) => ({
    ...rest,
    tokenName: tokenName ?? name ?? "token",
  }));

const userInput = z.object({ userName: nameSchema });

export const presentUser = (user: UserView) => ({
  userId: user.userId,
  userName: user.userName,
  isAdmin: user.isAdmin,
  createdAt: user.createdAt,
});

export const presentToken = (token: TokenView) => ({
  tokenId: token.tokenId,
  tokenName: token.tokenName,
  readOnly: token.readOnly,
  expiresAt: token.expiresAt,
  createdAt: token.createdAt,
});

/** Issues a token for `userId` and answers it once, beside its record. */
export const issueToken = async (
  deps: CoreApiDeps,
  userId: string,
  input: { tokenName: string; expiresAt: string | null; readOnly: boolean },
  metadata: Record<string, unknown>,
  token: string = generateUserToken(),
) => {
  const tokenId = newId("token");
  await execute(
    deps,
    streams.user(userId),
    userDecider,
    {
      type: "IssueUserToken",
      userId,
      tokenId,
      tokenHash: deps.hash(token),
      ...input,
      at: nowIso(deps),
    },
    metadata,
  );
  return { ...presentToken(deps.live.view.users.get(userId)!.tokens.get(tokenId)!), token };
};

/** Creates a user with a first token; answers the user and the token once. */
export const createUser = async (
  deps: CoreApiDeps,
  input: { userName: string; isAdmin: boolean },
  metadata: Record<string, unknown>,
  token?: string,
) => {
  const userId = newId("user");
  await execute(
    deps,
    streams.user(userId),
    userDecider,
    { type: "CreateUser", userId, ...input, at: nowIso(deps) },
    metadata,
  );
  const issued = await issueToken(
    deps,
    userId,
    { tokenName: "first", expiresAt: null, readOnly: false },
    metadata,
    token,
  );
  return {
    ...presentUser(deps.live.view.users.get(userId)!),
    token: issued.token,
    tokenId: issued.tokenId,
  };
};

const requireAdmin = (caller: Caller) => {
  if (!caller.user.isAdmin)
    throw new ApiError(403, "forbidden", "only an administrator can create users");
};

export const userRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/users/me", ({ request }) => presentUser(callerOf(deps, request).user))
    .post(
      "/users",
      async ({ request }) => {
        const caller = writerOf(deps, request);
        requireAdmin(caller);
        const input = parseWith(userInput, await readJsonObject(request));
        return created(await createUser(deps, { ...input, isAdmin: false }, metadataOf(caller)));
      },
      { parse: "none" },
    )
    .get("/users/me/tokens", ({ request }) =>
      [...callerOf(deps, request).user.tokens.values()].map(presentToken),
    )
    .post(
      "/users/me/tokens",
      async ({ request }) => {
        const caller = writerOf(deps, request);
        const input = parseWith(tokenInput, await readJsonObject(request));
        return created(await issueToken(deps, caller.user.userId, input, metadataOf(caller)));
      },
      { parse: "none" },
    )
    .delete("/users/me/tokens/:tokenId", async ({ request, params }) => {
      const caller = writerOf(deps, request);
      if (!caller.user.tokens.has(params.tokenId)) throw notFound("token");
      await execute(
        deps,
        streams.user(caller.user.userId),
        userDecider,
        {
          type: "RevokeUserToken",
          userId: caller.user.userId,
          tokenId: params.tokenId,
          at: nowIso(deps),
        },
        metadataOf(caller),
      );
      return noContent();
    });
