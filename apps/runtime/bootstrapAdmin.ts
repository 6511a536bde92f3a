/**
 * First start: with no user in the store, Ferry creates the admin user and
 * shows its token once (or takes it from FERRY_ADMIN_TOKEN, so that
 * automated setups know it in advance).
 */
import { ApiError } from "../core-api/errors.ts";
import type { CoreApiDeps } from "../core-api/context.ts";
import { createUser } from "../core-api/routes/users.ts";

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
  const admin = await createUser(
    deps,
    { userName: "admin", isAdmin: true },
    { actor: "system" },
    adminToken,
  );
  return { userId: admin.userId, token: admin.token, generated: adminToken === undefined };
};
