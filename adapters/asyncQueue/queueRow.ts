import type { AsyncRequest } from "../../core/async/asyncRequest.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { asyncRequests as t } from "./tables.ts";

/**
 * What the request log shows of a queued request: the columns of a
 * synchronous record, and `attempts`, `nextAttemptAt` and `failureReason`.
 */
export const listingRecord = (state: AsyncRequest) => {
  const last = state.attempts.findLast((attempt) => attempt.endedAt !== null);
  return {
    requestId: state.requestId,
    clientId: state.clientId,
    proxyId: state.proxyId,
    method: state.method,
    path: state.path,
    query: state.query,
    async: true,
    status: state.status,
    responseStatus: last?.responseStatus ?? null,
    duration: last?.duration ?? 0,
    timestamp: state.acceptedAt,
    attempts: state.attempts.length,
    nextAttemptAt: state.nextAttemptAt,
    failureReason: state.failureReason,
    requestBytes: state.bodyBytes,
    updatedAt: state.updatedAt,
  };
};

/**
 * Writes the row of `state`, unless the row already holds a later version.
 * The lease stays with its worker while the request is in flight and is
 * released by any other state. A request in flight is due again, to whoever
 * takes it over, from the moment its attempt started.
 */
const upsert = `
  INSERT INTO ${t.table} AS row (
    ${t.requestId}, ${t.clientId}, ${t.proxyId}, ${t.status}, ${t.occurredAt}, ${t.duration},
    ${t.responseStatus}, ${t.record}, ${t.version}, ${t.nextAttemptAt})
  VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8::text::jsonb, $9, $10::timestamptz)
  ON CONFLICT (${t.requestId}) DO UPDATE SET
    ${t.status} = excluded.${t.status},
    ${t.duration} = excluded.${t.duration},
    ${t.responseStatus} = excluded.${t.responseStatus},
    ${t.record} = excluded.${t.record},
    ${t.version} = excluded.${t.version},
    ${t.nextAttemptAt} = excluded.${t.nextAttemptAt},
    ${t.leaseOwner} = CASE WHEN excluded.${t.status} = 'in_flight' THEN row.${t.leaseOwner} END,
    ${t.leaseUntil} = CASE WHEN excluded.${t.status} = 'in_flight' THEN row.${t.leaseUntil} END
  WHERE row.${t.version} < excluded.${t.version}`;

export async function writeQueueRow(tx: SqlExecutor, state: AsyncRequest): Promise<void> {
  const record = listingRecord(state);
  const dueAt =
    state.status === "in_flight" ? (state.attempts.at(-1)?.startedAt ?? null) : state.nextAttemptAt;
  await tx.query(upsert, [
    state.requestId,
    state.clientId,
    state.proxyId,
    state.status,
    state.acceptedAt,
    record.duration,
    record.responseStatus,
    JSON.stringify(record),
    state.version,
    dueAt,
  ]);
}
