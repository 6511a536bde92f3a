/**
 * The queue of the async API (spec §5) over the event store's SQL: the
 * events of each request on `async-{requestId}` and, in the same
 * transaction as every append, its row in `ferry_async_requests`, which the
 * workers claim from and the request log reads.
 */
import {
  evolveAsync,
  foldAsync,
  type AsyncRequest,
  type AsyncStatus,
} from "../../core/async/asyncRequest.ts";
import type { AsyncEvent } from "../../core/domain/asyncEvents.ts";
import { streams } from "../../core/domain/events.ts";
import { readStream } from "../eventStore/readStream.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { appendAndProject } from "./appendAndProject.ts";
import { asyncChannel, asyncRequests as t, idempotency as k, openStatuses } from "./tables.ts";

/** How long an `Idempotency-Key` names its first request (spec §5). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60_000;

export type Submission = {
  accepted: AsyncEvent & { type: "AsyncRequestAccepted" };
  metadata?: Record<string, unknown>;
};

export type Submitted = { requestId: string; status: AsyncStatus; duplicate: boolean };

export type Claimed = { requestId: string; clientId: string };

const open = openStatuses.map((status) => `'${status}'`).join(", ");

const claimIdempotencyKey = `
  INSERT INTO ${k.table} AS entry (${k.proxyId}, ${k.key}, ${k.requestId}, ${k.createdAt})
  VALUES ($1, $2, $3, $4::timestamptz)
  ON CONFLICT (${k.proxyId}, ${k.key}) DO UPDATE
    SET ${k.requestId} = excluded.${k.requestId}, ${k.createdAt} = excluded.${k.createdAt}
    WHERE entry.${k.createdAt} < $5::timestamptz
  RETURNING ${k.requestId} AS request_id`;

const firstOfKey = `
  SELECT entry.${k.requestId} AS request_id, row.${t.status} AS status
  FROM ${k.table} AS entry LEFT JOIN ${t.table} AS row ON row.${t.requestId} = entry.${k.requestId}
  WHERE entry.${k.proxyId} = $1 AND entry.${k.key} = $2`;

/*
 * Due requests in due order, each taken by one worker: SKIP LOCKED lets
 * workers claim side by side without waiting on each other's rows. A
 * request in flight is due again once its lease has ended.
 */
const claimDue = `
  WITH due AS (
    SELECT ${t.requestId} FROM ${t.table}
    WHERE ${t.status} IN (${open})
      AND ${t.nextAttemptAt} <= $2::timestamptz
      AND (${t.leaseUntil} IS NULL OR ${t.leaseUntil} < $2::timestamptz)
      AND NOT (${t.proxyId} = ANY ($5::text[]))
    ORDER BY ${t.nextAttemptAt}
    LIMIT $3
    FOR UPDATE SKIP LOCKED
  )
  UPDATE ${t.table} AS row
  SET ${t.leaseOwner} = $1, ${t.leaseUntil} = $4::timestamptz
  FROM due WHERE row.${t.requestId} = due.${t.requestId}
  RETURNING row.${t.requestId} AS request_id, row.${t.clientId} AS client_id`;

const renew = `
  UPDATE ${t.table} SET ${t.leaseUntil} = $3::timestamptz
  WHERE ${t.requestId} = $1 AND ${t.leaseOwner} = $2
  RETURNING 1 AS renewed`;

const release = `
  UPDATE ${t.table} SET ${t.leaseOwner} = NULL, ${t.leaseUntil} = NULL
  WHERE ${t.requestId} = $1 AND ${t.leaseOwner} = $2`;

const nextDue = `
  SELECT to_char(min(greatest(${t.nextAttemptAt}, coalesce(${t.leaseUntil}, ${t.nextAttemptAt})))
           AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due
  FROM ${t.table} WHERE ${t.status} IN (${open}) AND NOT (${t.proxyId} = ANY ($1::text[]))`;

/**
 * Appends the accepted request and writes its row in one transaction, so
 * the answer 202 follows a commit of both (spec §5). With an idempotency
 * key, a submission within 24 hours of the first one under the same key
 * for the same proxy writes nothing and answers the first request.
 */
export async function submit(
  sql: SqlClient,
  { accepted, metadata }: Submission,
  state: AsyncRequest,
): Promise<Submitted> {
  const { requestId, proxyId, idempotencyKey, at } = accepted.data;
  if (idempotencyKey === null) {
    await appendAndProject(sql, streams.async(requestId), [{ ...accepted, metadata }], state);
    return { requestId, status: state.status, duplicate: false };
  }
  return sql.transaction(async (tx) => {
    {
      const cutoff = new Date(Date.parse(at) - IDEMPOTENCY_WINDOW_MS).toISOString();
      const taken = await tx.query(claimIdempotencyKey, [
        proxyId,
        idempotencyKey,
        requestId,
        at,
        cutoff,
      ]);
      if (taken.rows.length === 0) {
        const { rows } = await tx.query<{ request_id: string; status: AsyncStatus | null }>(
          firstOfKey,
          [proxyId, idempotencyKey],
        );
        const first = rows[0]!;
        return { requestId: first.request_id, status: first.status ?? "queued", duplicate: true };
      }
    }
    await appendAndProject(tx, streams.async(requestId), [{ ...accepted, metadata }], state);
    return { requestId, status: state.status, duplicate: false };
  });
}

/**
 * Appends `events` to a request folded to `state` and writes the row they
 * make, in one transaction. Throws `VersionConflictError` when another
 * worker moved the request meanwhile: nothing is written then.
 */
export async function transition(
  sql: SqlClient,
  state: AsyncRequest,
  events: AsyncEvent[],
  metadata?: Record<string, unknown>,
  /** When the events start an attempt: the lease its worker holds from now. */
  leaseUntil: Date | null = null,
): Promise<AsyncRequest> {
  const next = events.reduce<AsyncRequest>(
    (current, event) => evolveAsync(current, event) ?? current,
    state,
  );
  await appendAndProject(
    sql,
    streams.async(state.requestId),
    events.map((event) => ({ ...event, metadata })),
    next,
    leaseUntil,
  );
  return next;
}

/** The request as its events make it; null when there is no such request. */
export async function readAsyncRequest(
  sql: SqlExecutor,
  requestId: string,
): Promise<AsyncRequest | null> {
  const { events } = await readStream(sql, streams.async(requestId));
  return foldAsync(events.map((event) => ({ type: event.type, data: event.data }) as AsyncEvent));
}

/**
 * Takes up to `limit` due requests for `workerId`, each leased until
 * `leaseUntil`, leaving those of the proxies in `skipProxies` to others.
 */
export async function claim(
  sql: SqlExecutor,
  input: {
    workerId: string;
    now: Date;
    limit: number;
    leaseUntil: Date;
    skipProxies?: readonly string[];
  },
): Promise<Claimed[]> {
  const { rows } = await sql.query<{ request_id: string; client_id: string }>(claimDue, [
    input.workerId,
    input.now.toISOString(),
    input.limit,
    input.leaseUntil.toISOString(),
    [...(input.skipProxies ?? [])],
  ]);
  return rows.map((row) => ({ requestId: row.request_id, clientId: row.client_id }));
}

/** Extends a lease this worker still holds; false when it was lost. */
export async function renewLease(
  sql: SqlExecutor,
  requestId: string,
  workerId: string,
  until: Date,
): Promise<boolean> {
  const { rows } = await sql.query(renew, [requestId, workerId, until.toISOString()]);
  return rows.length > 0;
}

/** Gives a lease back without an attempt (the request needed none). */
export async function releaseLease(
  sql: SqlExecutor,
  requestId: string,
  workerId: string,
): Promise<void> {
  await sql.query(release, [requestId, workerId]);
}

/**
 * When the earliest unfinished request (not of `skipProxies`) is due, or its
 * lease ends; null when none is open.
 */
export async function nextDueAt(
  sql: SqlExecutor,
  skipProxies: readonly string[] = [],
): Promise<Date | null> {
  const { rows } = await sql.query<{ due: string | null }>(nextDue, [[...skipProxies]]);
  const due = rows[0]?.due ?? null;
  return due === null ? null : new Date(due);
}

export { asyncChannel };
