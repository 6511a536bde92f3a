/**
 * `ferry serve`: the Core API and the proxy in one process, on the embedded
 * store or on Postgres. SIGTERM (or SIGINT) stops taking connections, lets
 * in-flight requests finish, flushes pending request records and closes the
 * store.
 */
import { ConfigError, readConfig, type FerryConfig } from "../runtime/config.ts";
import { createLogger } from "../runtime/logger.ts";
import { startFerry } from "../runtime/startFerry.ts";

export const serveCommand = async (): Promise<void> => {
  let config: FerryConfig;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`ferry: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  let running;
  try {
    running = await startFerry(config, logger);
  } catch (error) {
    console.error(`ferry: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }

  if (running.admin?.generated) {
    // Printed once, on the first start only: the token itself is not stored.
    process.stdout.write(
      `\nFerry created the admin user. Its token, shown only this once:\n\n    ${running.admin.token}\n\n`,
    );
  }
  logger.info(
    {
      coreApi: running.coreUrl,
      proxy: running.proxyUrl,
      publicProxyUrl: running.deps.config.publicProxyUrl,
      store: config.databaseUrl ? "postgres" : `embedded (${config.dataDir})`,
      startupMs: Math.round(performance.now() - started),
    },
    "ferry is serving",
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining");
    await running.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
};
