/**
 * Opens the store for an operator command, runs it, and closes the store;
 * a failure prints `ferry: …` and sets a non-zero exit code. On the embedded
 * store the server must be stopped (one process per data folder).
 */
import type { CoreApiDeps } from "../core-api/context.ts";
import { readConfig } from "../runtime/config.ts";
import { createLogger } from "../runtime/logger.ts";
import { openFerry, type Ferry } from "../runtime/openFerry.ts";

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const withFerry = async (
  work: (deps: CoreApiDeps, ferry: Ferry) => Promise<void>,
): Promise<void> => {
  const config = readConfig(process.env);
  const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
  let ferry: Ferry;
  try {
    ferry = await openFerry(config, logger);
  } catch (error) {
    console.error(`ferry: ${messageOf(error)}`);
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
    console.error(`ferry: ${messageOf(error)}`);
    process.exitCode = 1;
  } finally {
    await ferry.close();
  }
};
