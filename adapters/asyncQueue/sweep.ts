import { events as e, streams as s } from "../eventStore/tables.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { IDEMPOTENCY_WINDOW_MS, readAsyncRequest } from "./asyncQueue.ts";
import { writeQueueRow } from "./queueRow.ts";
import { asyncRequests as t, idempotency as k, openStatuses } from "./tables.ts";

const open = openStatuses.map((status) => `'${status}'`).join(", ");
const BATCH = 500;

/**
 * Accepted requests whose row is missing (the table was damaged, or
 * restored from an older backup), among those accepted after `$1` up to
 * `$2` (sequence numbers): a sweep looks at each acceptance once per process.
 */
const missingRows = `
  SELECT ev.${e.data}->>'requestId' AS request_id
  FROM ${e.table} AS ev
  WHERE ev.${e.type} = 'AsyncRequestAccepted'
    AND ev.${e.sequence} > $1::bigint AND ev.${e.sequence} <= $2::bigint
    AND NOT EXISTS (
      SELECT 1 FROM ${t.table} AS row WHERE row.${t.requestId} = ev.${e.data}->>'requestId')
  LIMIT ${BATCH}`;

const lastAccepted = `
  SELECT coalesce(max(${e.sequence}), 0)::text AS sequence
  FROM ${e.table} WHERE ${e.type} = 'AsyncRequestAccepted'`;

/** Unfinished rows that fold fewer events than their stream holds. */
const staleRows = `
  SELECT row.${t.requestId} AS request_id
  FROM ${t.table} AS row
  JOIN ${s.table} AS stream ON stream.${s.streamId} = 'async-' || row.${t.requestId}
  WHERE row.${t.status} IN (${open}) AND stream.${s.version} > row.${t.version}
  LIMIT ${BATCH}`;

const reschedule = `
  UPDATE ${t.table} SET ${t.nextAttemptAt} = $1::timestamptz
  WHERE ${t.status} IN (${open}) AND ${t.nextAttemptAt} IS NULL
  RETURNING ${t.requestId} AS request_id`;

const expireKeys = `
  WITH gone AS (DELETE FROM ${k.table} WHERE ${k.createdAt} < $1::timestamptz RETURNING 1)
  SELECT count(*)::integer AS expired FROM gone`;

export type SweepReport = {
  /** Where the next sweep's search for missing rows starts. */
  checkedThrough: string;
  /** Rows written again from their events: missing or behind their stream. */
  repaired: number;
  /** Unfinished requests that had no due time and were made due now. */
  rescheduled: number;
  /** Idempotency keys older than 24 hours, dropped. */
  expiredKeys: number;
};

/**
 * Makes sure that no accepted request is left without a way to its next
 * attempt (spec §5): a request whose row is missing or stale gets it back
 * from its events, and an unfinished row without a due time is due now.
 * Normal operation writes rows and events together, so a sweep that finds
 * something reports damage worth a look. The search for missing rows covers
 * acceptances after `checkedThrough` (the previous report's): the first
 * sweep of a process looks at them all, later ones only at the new.
 */
export async function sweepQueue(
  sql: SqlClient,
  now: Date,
  checkedThrough = "0",
): Promise<SweepReport> {
  const upTo = (await sql.query<{ sequence: string }>(lastAccepted)).rows[0]!.sequence;
  let repaired = 0;
  for (const [query, params] of [
    [missingRows, [checkedThrough, upTo]],
    [staleRows, []],
  ] as const) {
    for (;;) {
      const { rows } = await sql.query<{ request_id: string }>(query, [...params]);
      for (const { request_id } of rows) {
        await sql.transaction(async (tx) => {
          const state = await readAsyncRequest(tx, request_id);
          if (state !== null) await writeQueueRow(tx, state);
        });
      }
      repaired += rows.length;
      if (rows.length < BATCH) break;
    }
  }
  const rescheduled = (await sql.query(reschedule, [now.toISOString()])).rows.length;
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
  const { rows } = await sql.query<{ expired: number }>(expireKeys, [cutoff]);
  return { checkedThrough: upTo, repaired, rescheduled, expiredKeys: rows[0]?.expired ?? 0 };
}
