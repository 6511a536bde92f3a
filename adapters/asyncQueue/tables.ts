/**
 * Table and column names of the async queue, in one place. The DDL is
 * `adapters/sql/migrations/005_async_queue.sql`.
 */
export const asyncRequests = {
  table: "ferry_async_requests",
  requestId: "request_id",
  clientId: "client_id",
  proxyId: "proxy_id",
  status: "status",
  occurredAt: "occurred_at",
  duration: "duration",
  responseStatus: "response_status",
  record: "record",
  version: "version",
  nextAttemptAt: "next_attempt_at",
  leaseOwner: "lease_owner",
  leaseUntil: "lease_until",
} as const;

export const idempotency = {
  table: "ferry_async_idempotency",
  proxyId: "proxy_id",
  key: "idempotency_key",
  requestId: "request_id",
  createdAt: "created_at",
} as const;

/** NOTIFY channel on which submissions and retries wake the workers. */
export const asyncChannel = "ferry_async";

/** Statuses a worker still has work for. */
export const openStatuses = ["queued", "in_flight", "retrying"] as const;
