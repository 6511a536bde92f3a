/**
 * `ferry token create` and `ferry user create`: operator commands that write
 * to the store directly. On the embedded store they need the server stopped
 * (one process per data folder); with a running server use the Core API
 * (`POST /users/me/tokens`, `POST /users`).
 */
import type { CoreApiDeps } from "../core-api/context.ts";
import { createUser, issueToken } from "../core-api/routes/users.ts";
import { readConfig } from "../runtime/config.ts";
import { createLogger } from "../runtime/logger.ts";
import { openFerry, type Ferry } from "../runtime/openFerry.ts";

const withFerry = async (work: (deps: CoreApiDeps, ferry: Ferry) => Promise<void>) => {
  const config = readConfig(process.env);
  const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
  let ferry: Ferry;
  try {
    ferry = await openFerry(config, logger);
  } catch (error) {
    console.error(`ferry: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const deps: CoreApiDeps = {
    config: {
      publicProxyUrl: config.publicProxyUrl ?? `http://127.0.0.1:${config.proxyPort}`,
      regionProxyUrls: config.regionProxyUrls,
    },
    store: ferry.store,
    live: ferry.live,
    secrets: ferry.secrets,
    hash: ferry.hash,
    fingerprint: ferry.fingerprint,
    logger,
  };
  try {
    await work(deps, ferry);
  } catch (error) {
    console.error(`ferry: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await ferry.close();
  }
};

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
