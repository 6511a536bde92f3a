/**
 * Starts a whole Ferry: the store and live configuration, the admin user on
 * first start, the request recorder, the Core API and the proxy. `ferry
 * serve` runs this; so do the end-to-end tests, in process.
 */
import { createCoreApi, routable } from "../core-api/app.ts";
import type { CoreApiDeps } from "../core-api/context.ts";
import { createProxyApp } from "../proxy/createProxyApp.ts";
import { startProxyServer } from "../proxy/startProxyServer.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { createRateLimiter } from "../../adapters/rateLimit/index.ts";
import { createRequestLog } from "../../adapters/requestLog/index.ts";
import { createAsyncQueue } from "../../adapters/asyncQueue/index.ts";
import { createAuthorizer } from "./authorizer.ts";
import { bootstrapAdmin } from "./bootstrapAdmin.ts";
import { resolvePublicProxyUrl, type FerryConfig } from "./config.ts";
import type { Logger } from "./logger.ts";
import { openFerry, type Ferry } from "./openFerry.ts";
import { startRequestLog } from "./requestLogProjector.ts";
import { startRequestRecorder, type RequestRecorder } from "./requestRecorder.ts";
import { startRetention } from "./retention.ts";
import { createSubmitAsync } from "./asyncSubmission.ts";
import { startDeliveryWorker, type DeliveryWorker } from "../worker/deliveryWorker.ts";

export type RunningFerry = {
  ferry: Ferry;
  deps: CoreApiDeps;
  recorder: RequestRecorder;
  /** The delivery worker of this process; null with FERRY_WORKER=off. */
  worker: DeliveryWorker | null;
  coreUrl: string;
  proxyUrl: string;
  /** Set on the first start only, when Ferry created the admin user. */
  admin: { userId: string; token: string; generated: boolean } | null;
  /** Stops taking connections, drains in-flight requests, flushes records, closes. */
  stop(): Promise<void>;
};

const CORE_API_MAX_BODY = 1024 * 1024;
const PROXY_BODY_SLACK = 1024 * 1024;

export const startFerry = async (
  config: FerryConfig,
  logger: Logger,
  options: { sql?: SqlClient } = {},
): Promise<RunningFerry> => {
  const ferry = await openFerry(config, logger, options);
  let worker: DeliveryWorker | null = null;
  try {
    const recorder = startRequestRecorder({ store: ferry.store, logger });
    const retention = startRetention({
      sql: ferry.sql,
      logger,
      days: config.requestRetentionDays,
    });
    // The proxy's answers come first: the log catches up when traffic ebbs.
    const requestLogProjector = await startRequestLog({
      sql: ferry.sql,
      logger,
      yieldTo: { busy: recorder.busy, share: config.requestLogBusyShare },
    });
    // Counters live in the store, leased in blocks: limits hold across the
    // processes sharing a Postgres, and across restarts on either store.
    const limiter = createRateLimiter({ mode: "shared", sql: ferry.sql, logger });
    worker = config.worker
      ? startDeliveryWorker({
          sql: ferry.sql,
          table: ferry.live.table,
          secrets: ferry.secrets,
          proxyExists: (proxyId, clientId) =>
            ferry.live.view.proxies.get(proxyId)?.clientId === clientId,
          logger,
          options: config.workerOptions,
        })
      : null;
    const proxyServer = await startProxyServer({
      hostname: config.host,
      port: config.proxyPort,
      // Bun's own limit sits above Ferry's, so that Ferry's check answers
      // first, with the JSON error body, for declared and chunked bodies alike.
      maxRequestBodySize:
        Math.max(config.maxBodyBytes, config.maxAsyncBodyBytes) + PROXY_BODY_SLACK,
      app: createProxyApp({
        table: ferry.live.table,
        hashSecret: ferry.hash,
        record: recorder.record,
        authorize: createAuthorizer({ limiter }),
        maxBodyBytes: config.maxBodyBytes,
        submitAsync: createSubmitAsync({
          sql: ferry.sql,
          secrets: ferry.secrets,
          onQueued: () => worker?.wake(),
        }),
        maxAsyncBodyBytes: config.maxAsyncBodyBytes,
        logger,
      }),
    });
    const deps: CoreApiDeps = {
      config: {
        publicProxyUrl: resolvePublicProxyUrl(config, proxyServer.url),
        regionProxyUrls: config.regionProxyUrls,
      },
      store: ferry.store,
      live: ferry.live,
      secrets: ferry.secrets,
      hash: ferry.hash,
      fingerprint: ferry.fingerprint,
      logger,
      requestLog: createRequestLog(ferry.sql),
      asyncQueue: createAsyncQueue(ferry.sql),
      onQueued: () => worker?.wake(),
    };
    const admin = await bootstrapAdmin(deps, config.adminToken);
    const coreApi = createCoreApi(deps);
    const coreServer = Bun.serve({
      hostname: config.host,
      port: config.corePort,
      maxRequestBodySize: CORE_API_MAX_BODY,
      fetch: (request) => coreApi.fetch(routable(request)),
    });
    return {
      ferry,
      deps,
      recorder,
      worker,
      coreUrl: `http://${config.host}:${coreServer.port}`,
      proxyUrl: proxyServer.url,
      admin,
      stop: async () => {
        await Promise.all([coreServer.stop(false), proxyServer.stop()]);
        await worker?.stop();
        await recorder.stop();
        retention.stop();
        await requestLogProjector.close();
        await limiter.close();
        await ferry.close();
      },
    };
  } catch (error) {
    await worker?.stop(0);
    await ferry.close();
    throw error;
  }
};
