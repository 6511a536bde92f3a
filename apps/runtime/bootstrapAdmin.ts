/**
 * First start: with no user in the store, Ferry creates the admin user and
 * shows its token once (or takes it from FERRY_ADMIN_TOKEN, so that
 * automated setups know it in advance). The user, its token and a marker on
 * a stream that must not exist yet are appended in one transaction, so two
 * processes starting on one empty store create one admin between them.
 */
import { generateUserToken } from "../../adapters/secrets/randomSecrets.ts";
import { fold } from "../../core/domain/decider.ts";
import { streams, type UserEvent } from "../../core/domain/events.ts";
import { userDecider } from "../../core/domain/users/decider.ts";
import { expectNoStream, VersionConflictError } from "../../core/eventStore/eventStore.ts";
import type { CoreApiDeps } from "../core-api/context.ts";
import { ApiError } from "../core-api/errors.ts";
import { domainErrorToApi } from "../core-api/execute.ts";
import { newId } from "./ids.ts";

const ADMIN_TOKEN_PATTERN = /^u-[A-Za-z0-9_-]{22,200}$/;

export const bootstrapAdmin = async (
  deps: CoreApiDeps,
  adminToken: string | undefined,
): Promise<{ userId: string; token: string; generated: boolean } | null> => {
  if (deps.live.view.users.size > 0) return null;
  if (adminToken !== undefined && !ADMIN_TOKEN_PATTERN.test(adminToken))
    throw new ApiError(
      400,
      "invalid_admin_token",
      "FERRY_ADMIN_TOKEN must start with u- followed by at least 22 letters, digits, - or _ (128 bits)",
    );

  const token = adminToken ?? generateUserToken();
  const userId = newId("user");
  const at = new Date().toISOString();
  const created = userDecider.decide(
    { type: "CreateUser", userId, userName: "admin", isAdmin: true, at },
    userDecider.initialState,
  );
  if (created.isErr()) throw domainErrorToApi(created.error);
  const issued = userDecider.decide(
    {
      type: "IssueUserToken",
      userId,
      tokenId: newId("token"),
      tokenName: "first",
      tokenHash: deps.hash(token),
      readOnly: false,
      expiresAt: null,
      at,
    },
    fold(userDecider, created.value),
  );
  if (issued.isErr()) throw domainErrorToApi(issued.error);
  const metadata = { actor: "system" };
  const userEvents: UserEvent[] = [...created.value, ...issued.value];

  try {
    const [, appended] = await deps.store.appendMany([
      {
        streamId: streams.bootstrap(),
        events: [{ type: "AdminBootstrapped", data: { userId, at }, metadata }],
        expected: expectNoStream,
      },
      {
        streamId: streams.user(userId),
        events: userEvents.map((event) => ({ ...event, data: { ...event.data }, metadata })),
        expected: expectNoStream,
      },
    ]);
    await deps.live.waitFor(appended!.lastPosition);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    // Another process created the admin first.
    await deps.live.catchUp();
    return null;
  }
  return { userId, token, generated: adminToken === undefined };
};
