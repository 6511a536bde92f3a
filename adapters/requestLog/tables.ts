/**
 * Table and column names of the request log, in one place. The DDL that
 * creates them is `adapters/sql/migrations/004_request_log.sql`; the
 * projector's tests check that the two agree.
 */
export const requestLog = {
  table: "ferry_request_log",
  /**
   * What the API's reads query: this table and the queued requests
   * (`ferry_async_requests`) under the same columns, a view of
   * `adapters/sql/migrations/005_async_queue.sql`.
   */
  readable: "ferry_requests",
  requestId: "request_id",
  clientId: "client_id",
  proxyId: "proxy_id",
  status: "status",
  occurredAt: "occurred_at",
  duration: "duration",
  responseStatus: "response_status",
  record: "record",
} as const;
