import { comparePositions, type GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { toPosition } from "../eventStore/eventRow.ts";
import { storeCheckpointIn } from "../eventStore/storeCheckpoint.ts";
import { events as e } from "../eventStore/tables.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { insertRows } from "./insertRows.ts";
import { requestLog as t } from "./tables.ts";
import { rowOf, type MalformedRecord, type RequestLogRow } from "./unfoldRecords.ts";

/** Thrown inside the transaction to roll its rows back; never leaves this file. */
class CheckpointMoved extends Error {}

/**
 * Writes `rows` and moves checkpoint `name` from `expected` to `next` in one
 * transaction (spec §6: a read model and its checkpoint commit together).
 * Answers false, with nothing written, when the checkpoint no longer stands
 * at `expected`: another process projected first, or the log was reset.
 *
 * Rows go in before the checkpoint moves, so a reset (which truncates first)
 * and a projector never take their locks in opposite orders.
 */
export async function projectBatch(
  sql: SqlClient,
  name: string,
  expected: GlobalPosition | null,
  next: GlobalPosition,
  rows: RequestLogRow[],
): Promise<boolean> {
  try {
    return await sql.transaction(async (tx) => {
      await insertRows(tx, rows);
      if (!(await storeCheckpointIn(tx, name, expected, next))) throw new CheckpointMoved();
      return true;
    });
  } catch (error) {
    if (error instanceof CheckpointMoved) return false;
    throw error;
  }
}

/*
 * The batch events after a position unfolded into rows inside Postgres, so
 * that records never travel to this process and back: up to $3 events of the
 * streams starting with $4, after ($1, $2), under the same xid8 fence as
 * `readAll` (only transactions older than the oldest in flight).
 *
 * A record goes straight into the log when every column it fills can be read
 * without doubt: an object with non-empty string ids and status (proxy and
 * client falling back to the batch's), a timestamp exactly as
 * `Date.prototype.toISOString` writes it on a real calendar day, a duration
 * that is a number (or absent) and a response status that is an integer in
 * range (or not a number). The values are then the ones `unfoldRecords`
 * computes. Any other record comes back to be unfolded there, where it gets
 * its row or is reported as malformed, so both paths answer the same rows.
 * The tests on each condition use CASE or jsonb comparisons only, never a
 * cast that could fail before it is reached.
 *
 * `data #> '{}'` detoasts a batch once per event; each field is then read
 * from that copy. Answers the rows it left to JS, then one row with the
 * number of events it read, the last one's position and the head of the log
 * under the fence (both null when there are none).
 */
const isoStamp = String.raw`^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$`;

const unfoldInSql = `
  WITH fence AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  picked AS MATERIALIZED (
    SELECT ${e.table}.${e.transactionId} AS tx, ${e.table}.${e.sequence} AS seq,
           ${e.streamId} AS stream_id, ${e.streamVersion} AS stream_version,
           ${e.type} AS type, ${e.data} AS data
    FROM ${e.table}, fence
    WHERE (${e.table}.${e.transactionId}, ${e.table}.${e.sequence}) > ($1::text::xid8, $2::text::bigint)
      AND ${e.table}.${e.transactionId} < fence.xmin
      AND starts_with(${e.table}.${e.streamId}, $4::text)
    ORDER BY ${e.table}.${e.transactionId}, ${e.table}.${e.sequence}
    LIMIT $3
  ),
  head AS (
    SELECT ${e.table}.${e.transactionId} AS tx, ${e.table}.${e.sequence} AS seq
    FROM ${e.table}, fence
    WHERE ${e.table}.${e.transactionId} < fence.xmin
    ORDER BY ${e.table}.${e.transactionId} DESC, ${e.table}.${e.sequence} DESC
    LIMIT 1
  ),
  records AS MATERIALIZED (
    SELECT b.tx, b.seq, b.stream_id, b.stream_version, r.ord, r.rec,
           b.batch_proxy, b.batch_client, f.*,
           coalesce(
             jsonb_typeof(r.rec) = 'object'
             AND f.request_id IS NOT NULL AND f.status IS NOT NULL
             AND f.proxy_id IS NOT NULL AND f.client_id IS NOT NULL
             AND CASE WHEN f.stamp ~ '${isoStamp}'
                   THEN substr(f.stamp, 9, 2) <= '28'
                     OR extract(day FROM (substr(f.stamp, 1, 8) || '01')::date
                                         + (substr(f.stamp, 9, 2)::integer - 1))
                        = substr(f.stamp, 9, 2)::integer
                   ELSE false END
             AND (f.duration IS NULL OR jsonb_typeof(f.duration) = 'null'
                  OR (jsonb_typeof(f.duration) = 'number'
                      AND (f.duration <= '0'::jsonb OR f.duration BETWEEN '1e-300'::jsonb AND '1e300'::jsonb)))
             AND CASE WHEN jsonb_typeof(f.response_status) = 'number'
                   THEN f.response_status::numeric = trunc(f.response_status::numeric)
                     AND f.response_status BETWEEN '-2147483648'::jsonb AND '2147483647'::jsonb
                   ELSE true END,
             false) AS direct
    FROM (
      SELECT p.tx, p.seq, p.stream_id, p.stream_version,
             batch.d->'records' AS records, batch.d->'proxyId' AS batch_proxy,
             batch.d->'clientId' AS batch_client
      FROM picked p CROSS JOIN LATERAL (SELECT p.data #> '{}' AS d OFFSET 0) AS batch
      WHERE p.type = 'ProxyRequestsRecorded'
      OFFSET 0
    ) AS b
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(b.records) = 'array' THEN b.records ELSE '[]'::jsonb END
    ) WITH ORDINALITY AS r(rec, ord)
    CROSS JOIN LATERAL (
      SELECT
        CASE WHEN jsonb_typeof(r.rec->'requestId') = 'string' THEN nullif(r.rec->>'requestId', '') END AS request_id,
        CASE WHEN jsonb_typeof(r.rec->'status') = 'string' THEN nullif(r.rec->>'status', '') END AS status,
        coalesce(
          CASE WHEN jsonb_typeof(r.rec->'proxyId') = 'string' THEN nullif(r.rec->>'proxyId', '') END,
          CASE WHEN jsonb_typeof(b.batch_proxy) = 'string' THEN nullif(b.batch_proxy #>> '{}', '') END
        ) AS proxy_id,
        coalesce(
          CASE WHEN jsonb_typeof(r.rec->'clientId') = 'string' THEN nullif(r.rec->>'clientId', '') END,
          CASE WHEN jsonb_typeof(b.batch_client) = 'string' THEN nullif(b.batch_client #>> '{}', '') END
        ) AS client_id,
        CASE WHEN jsonb_typeof(r.rec->'timestamp') = 'string' THEN r.rec->>'timestamp' END AS stamp,
        r.rec->'duration' AS duration,
        r.rec->'responseStatus' AS response_status
      OFFSET 0
    ) AS f
  ),
  inserted AS (
    INSERT INTO ${t.table} (
      ${t.requestId}, ${t.clientId}, ${t.proxyId}, ${t.status},
      ${t.occurredAt}, ${t.duration}, ${t.responseStatus}, ${t.record}
    )
    SELECT request_id, client_id, proxy_id, status,
           CASE WHEN direct THEN stamp::timestamptz END,
           CASE WHEN direct AND jsonb_typeof(duration) = 'number' AND duration > '0'::jsonb
             THEN duration::double precision ELSE 0 END,
           CASE WHEN direct AND jsonb_typeof(response_status) = 'number'
             THEN response_status::numeric::integer END,
           rec
    FROM records
    WHERE direct
    ON CONFLICT (${t.requestId}) DO NOTHING
  )
  SELECT false AS is_summary, stream_id, stream_version, ord::integer AS ord, rec,
         jsonb_build_object('proxyId', batch_proxy, 'clientId', batch_client) AS batch,
         NULL::integer AS picked, NULL AS transaction_id, NULL AS sequence,
         NULL AS head_transaction_id, NULL AS head_sequence
  FROM (SELECT * FROM records WHERE NOT direct ORDER BY tx, seq, ord) AS left_over
  UNION ALL
  SELECT true, NULL, NULL, NULL, NULL, NULL,
         (SELECT count(*)::integer FROM picked),
         last.tx::text, last.seq::text, head.tx::text, head.seq::text
  FROM (SELECT 1) AS one
  LEFT JOIN (SELECT tx, seq FROM picked ORDER BY tx DESC, seq DESC LIMIT 1) AS last ON true
  LEFT JOIN head ON true`;

type UnfoldedRow = {
  is_summary: boolean;
  stream_id: string | null;
  stream_version: number | null;
  ord: number | null;
  rec: unknown;
  batch: { proxyId?: unknown; clientId?: unknown } | null;
  picked: number | null;
  transaction_id: string | null;
  sequence: string | null;
  head_transaction_id: string | null;
  head_sequence: string | null;
};

/** What one step of `projectFromLog` did. */
export type LogStep =
  /** No request events after `from`; the log was read up to `scanned`. */
  | { kind: "idle"; scanned: GlobalPosition | null }
  /** Rows written and the checkpoint moved to `position`. */
  | { kind: "stored"; position: GlobalPosition; events: number; malformed: MalformedRecord[] }
  /** The checkpoint no longer stood at `expected`: nothing was written. */
  | { kind: "moved" };

/**
 * Projects up to `limit` request events after `from` straight from the
 * event table, and moves checkpoint `name` from `expected` past them, in one
 * transaction. `from` may be ahead of `expected` when the events between
 * them are known to hold no request records (an earlier idle step scanned
 * them). Records that cannot be read are left out and answered as
 * `malformed`, exactly as `unfoldRecords` reports them.
 *
 * @example
 * const step = await projectFromLog(sql, "request_log@1", known, known, 32, "requests-");
 * if (step.kind === "stored") known = step.position;
 */
export async function projectFromLog(
  sql: SqlClient,
  name: string,
  expected: GlobalPosition | null,
  from: GlobalPosition,
  limit: number,
  streamPrefix: string,
): Promise<LogStep> {
  try {
    return await sql.transaction((tx) => stepIn(tx, name, expected, from, limit, streamPrefix));
  } catch (error) {
    if (error instanceof CheckpointMoved) return { kind: "moved" };
    throw error;
  }
}

async function stepIn(
  tx: SqlExecutor,
  name: string,
  expected: GlobalPosition | null,
  from: GlobalPosition,
  limit: number,
  streamPrefix: string,
): Promise<LogStep> {
  const { rows } = await tx.query<UnfoldedRow>(unfoldInSql, [
    from.transactionId.toString(),
    from.sequence.toString(),
    limit,
    streamPrefix,
  ]);
  const summary = rows.find((row) => row.is_summary);
  const picked = summary?.picked ?? 0;
  const head = positionOf(summary?.head_transaction_id, summary?.head_sequence);
  if (picked === 0) return { kind: "idle", scanned: head ?? from };

  const last = positionOf(summary?.transaction_id, summary?.sequence)!;
  // As `readAll` with a filter: when fewer events than asked came back,
  // everything up to the head was read or left out.
  const position =
    picked >= limit || head === null || comparePositions(head, last) <= 0 ? last : head;

  const { rows: slowRows, malformed } = unfoldLeftOver(rows.filter((row) => !row.is_summary));
  await insertRows(tx, slowRows);
  if (!(await storeCheckpointIn(tx, name, expected, position))) throw new CheckpointMoved();
  return { kind: "stored", position, events: picked, malformed };
}

/** The records SQL left out, unfolded by the same rules as `unfoldRecords`. */
function unfoldLeftOver(rows: UnfoldedRow[]): {
  rows: RequestLogRow[];
  malformed: MalformedRecord[];
} {
  const unfolded: RequestLogRow[] = [];
  const malformed: MalformedRecord[] = [];
  for (const row of rows) {
    const result = rowOf(row.rec, row.batch ?? {});
    if (typeof result !== "string") unfolded.push(result);
    else
      malformed.push({
        streamId: row.stream_id!,
        streamVersion: row.stream_version!,
        reason: `record ${row.ord! - 1}: ${result}`,
      });
  }
  return { rows: unfolded, malformed };
}

const positionOf = (
  transactionId: string | null | undefined,
  sequence: string | null | undefined,
): GlobalPosition | null =>
  transactionId == null || sequence == null
    ? null
    : toPosition({ transaction_id: transactionId, sequence });
