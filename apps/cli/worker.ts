/**
 * `ferry worker`: a delivery worker alone, against the store `ferry serve`
 * uses (on the embedded store only when no server holds the data folder;
 * in practice, against a shared Postgres). SIGTERM stops claiming, lets
 * attempts in flight end, and leaves the rest to their leases.
 */
import { readConfigOrExit, startedOrExit, stopOnSignals } from "./startProcess.ts";
import { createLogger } from "../runtime/logger.ts";
import { openFerry } from "../runtime/openFerry.ts";
import { startDeliveryWorker } from "../worker/deliveryWorker.ts";

export const workerCommand = async (): Promise<void> => {
  const config = readConfigOrExit();
  const logger = createLogger(config.logLevel);
  const ferry = await startedOrExit(() => openFerry(config, logger));
  const worker = startDeliveryWorker({
    sql: ferry.sql,
    table: ferry.live.table,
    secrets: ferry.secrets,
    proxyExists: (proxyId, clientId) => ferry.live.view.proxies.get(proxyId)?.clientId === clientId,
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
  stopOnSignals(logger, "stopping", async () => {
    await worker.stop();
    await ferry.close();
  });
};
