/**
 * The request log (spec §3 "Request logs", "Usage"): a read model of one row
 * per proxied request, projected from the batch events of the request
 * streams, and the queries the Core API answers from it.
 */
import type { SqlClient } from "../sql/sqlClient.ts";
import { listRequests, type PageKey, type RequestPage } from "./listRequests.ts";
import { hasProxyRequests, readRequest } from "./readRequest.ts";
import type { RequestFilter } from "./requestFilter.ts";
import type { StoredRequest } from "./storedRequest.ts";
import { usageReport, type UsageGrouping, type UsageReport } from "./usageReport.ts";

export type RequestLog = {
  list(
    filter: RequestFilter,
    page: { limit: number; after?: PageKey | null },
  ): Promise<RequestPage>;
  get(clientId: string, requestId: string, proxyId?: string): Promise<StoredRequest | null>;
  /** Whether the client's log holds any request of the proxy. */
  hasProxy(clientId: string, proxyId: string): Promise<boolean>;
  usage(filter: RequestFilter, groupBy: UsageGrouping): Promise<UsageReport>;
};

/**
 * The request log's queries over `sql`, whose schema `migrate` has created.
 *
 * @example
 * const log = createRequestLog(sql);
 * const page = await log.list({ clientId, statuses: ["failed"] }, { limit: 100 });
 */
export function createRequestLog(sql: SqlClient): RequestLog {
  return {
    list: (filter, page) => listRequests(sql, filter, page),
    get: (clientId, requestId, proxyId) => readRequest(sql, clientId, requestId, proxyId),
    hasProxy: (clientId, proxyId) => hasProxyRequests(sql, clientId, proxyId),
    usage: (filter, groupBy) => usageReport(sql, filter, groupBy),
  };
}

export { decodeCursor, encodeCursor } from "./cursor.ts";
export { newestRequestPosition, rebuildRequestLog } from "./rebuildRequestLog.ts";
export { requestLogProjection } from "./projection.ts";
export {
  startRequestLogProjector,
  type RequestLogProjector,
  type YieldTo,
} from "./startRequestLogProjector.ts";
export { parseTime, throughDay } from "./timeBounds.ts";
export type { PageKey, RequestPage } from "./listRequests.ts";
export type { RequestFilter, TimeBound } from "./requestFilter.ts";
export type { StoredRequest } from "./storedRequest.ts";
export type { UsageGrouping, UsageReport, UsageStats } from "./usageReport.ts";
export { pruneRequests } from "./pruneRequests.ts";
export { countRecords } from "./countRecords.ts";
