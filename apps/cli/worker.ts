/**
 * `ferry worker`: a delivery worker alone, against the store `ferry serve`
 * uses (on the embedded store only when no server holds the data folder;
 * in practice, against a shared Postgres). SIGTERM stops claiming, lets
 * attempts in flight end, and leaves the rest to their leases.
 */
import { ConfigError, readConfig, type FerryConfig } from "../runtime/config.ts";
import { createLogger } from "../runtime/logger.ts";
import { openFerry } from "../runtime/openFerry.ts";
import { startDeliveryWorker } from "../worker/deliveryWorker.ts";

export const workerCommand = async (): Promise<void> => {
  let config: FerryConfig;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`ferry: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let ferry;
  try {
    ferry = await openFerry(config, logger);
  } catch (error) {
    console.error(`ferry: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const worker = startDeliveryWorker({
    sql: ferry.sql,
    table: ferry.live.table,
    secrets: ferry.secrets,
    logger,
    options: config.workerOptions,
  });
  logger.info(
    {
      workerId: worker.workerId,
      store: config.databaseUrl ? "postgres" : `embedded (${config.dataDir})`,
      concurrency: config.workerOptions.concurrency,
    },
    "ferry worker is delivering",
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    await worker.stop();
    await ferry.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
};
