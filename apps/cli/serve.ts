/**
 * `ferry serve`: the Core API and the proxy in one process, on the embedded
 * store or on Postgres. SIGTERM (or SIGINT) stops taking connections, lets
 * in-flight requests finish, flushes pending request records and closes the
 * store.
 */
import { readConfigOrExit, startedOrExit, stopOnSignals } from "./startProcess.ts";
import { createLogger } from "../runtime/logger.ts";
import { startFerry } from "../runtime/startFerry.ts";

export const serveCommand = async (): Promise<void> => {
  const config = readConfigOrExit();
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  const running = await startedOrExit(() => startFerry(config, logger));

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
      worker: running.worker?.workerId ?? "off",
      startupMs: Math.round(performance.now() - started),
    },
    "ferry is serving",
  );
  stopOnSignals(logger, "draining", () => running.stop());
};
