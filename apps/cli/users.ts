/**
 * `ferry token create` and `ferry user create`: operator commands that write
 * to the store directly. On the embedded store they need the server stopped
 * (one process per data folder); with a running server use the Core API
 * (`POST /users/me/tokens`, `POST /users`).
 */
import { createUser, issueToken } from "../core-api/routes/users.ts";
import { withFerry } from "./withFerry.ts";

export const tokenCreateCommand = (options: { user?: string; name: string; readOnly: boolean }) =>
  withFerry(async (deps) => {
    const users = [...deps.live.view.users.values()];
    const user = options.user
      ? deps.live.view.users.get(options.user)
      : users.find((candidate) => candidate.isAdmin);
    if (!user)
      throw new Error(
        options.user ? `no user ${options.user}` : "no admin user yet: run ferry serve once",
      );
    const issued = await issueToken(
      deps,
      user.userId,
      { tokenName: options.name, expiresAt: null, readOnly: options.readOnly },
      { actor: "cli" },
    );
    process.stdout.write(`${issued.token}\n`);
  });

export const userCreateCommand = (userName: string) =>
  withFerry(async (deps) => {
    const user = await createUser(deps, { userName, isAdmin: false }, { actor: "cli" });
    process.stdout.write(
      `${JSON.stringify({ userId: user.userId, userName: user.userName, token: user.token })}\n`,
    );
  });
