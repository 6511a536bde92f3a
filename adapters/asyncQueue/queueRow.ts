import type { AsyncRequest } from "../../core/async/asyncRequest.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { asyncRequests as t } from "./tables.ts";

/**
 * What the request log shows of a queued request: the columns of a
 * synchronous record, and `attempts`, `nextAttemptAt` and `failureReason`.
 */
export const listingRecord = (state: AsyncRequest) => {
  const last = state.attempts.findLast((attempt) => attempt.endedAt !== null);
  const latest = state.attempts.at(-1);
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
    code: state.failureReason ?? "proxy-access-granted",
    targetCredentialId: latest?.targetCredentialId ?? null,
    targetCredentialVersion: latest?.targetCredentialVersion ?? null,
    requestBytes: state.bodyBytes,
    updatedAt: state.updatedAt,
  };
};

/** The row's columns, in the order `queueRowValues` gives their values. */
export const queueRowColumns = [
  t.requestId,
  t.clientId,
  t.proxyId,
  t.status,
  t.occurredAt,
  t.duration,
  t.responseStatus,
  t.record,
  t.version,
  t.nextAttemptAt,
] as const;

/** Casts of the values, so that they can stand in a SELECT list as well as in VALUES. */
const casts = [
  "text",
  "text",
  "text",
  "text",
  "timestamptz",
  "float8",
  "integer",
  "text::jsonb",
  "integer",
  "timestamptz",
];

/** `$n::type, …` for the row's values, numbered from `first`. */
export const queueRowPlaceholders = (first: number): string =>
  casts.map((cast, i) => `$${first + i}::${cast}`).join(", ");

/**
 * What an existing row takes from a newer state: everything but its lease,
 * which stays with its worker while the request is in flight (extended to
 * parameter `$leaseParam` when that is given) and is released by any other
 * state. Applies only when the row holds an older version.
 */
export const queueRowOnConflict = (leaseParam: number) => `
  ON CONFLICT (${t.requestId}) DO UPDATE SET
    ${t.status} = excluded.${t.status},
    ${t.duration} = excluded.${t.duration},
    ${t.responseStatus} = excluded.${t.responseStatus},
    ${t.record} = excluded.${t.record},
    ${t.version} = excluded.${t.version},
    ${t.nextAttemptAt} = excluded.${t.nextAttemptAt},
    ${t.leaseOwner} = CASE WHEN excluded.${t.status} = 'in_flight' THEN row.${t.leaseOwner} END,
    ${t.leaseUntil} = CASE WHEN excluded.${t.status} = 'in_flight'
      THEN coalesce($${leaseParam}::timestamptz, row.${t.leaseUntil}) END
  WHERE row.${t.version} < excluded.${t.version}`;

/**
 * The row's values for `state`. A request in flight is due again, to
 * whoever takes it over once the lease ends, from the moment its attempt
 * started.
 */
export const queueRowValues = (state: AsyncRequest): unknown[] => {
  const record = listingRecord(state);
  const dueAt =
    state.status === "in_flight" ? (state.attempts.at(-1)?.startedAt ?? null) : state.nextAttemptAt;
  return [
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
  ];
};

const upsert = `
  INSERT INTO ${t.table} AS row (${queueRowColumns.join(", ")})
  VALUES (${queueRowPlaceholders(1)})
  ${queueRowOnConflict(queueRowColumns.length + 1)}`;

/** Writes the row of `state`, unless the row already holds a later version. */
export async function writeQueueRow(tx: SqlExecutor, state: AsyncRequest): Promise<void> {
  await tx.query(upsert, [...queueRowValues(state), null]);
}
