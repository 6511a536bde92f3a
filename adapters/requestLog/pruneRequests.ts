import { compressedDataColumn, dataOf } from "../eventStore/eventData.ts";
import { events as e } from "../eventStore/tables.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { requestLogProjection } from "./projection.ts";
import { requestLog as t } from "./tables.ts";
import { batchRecords } from "./unfoldRecords.ts";

/*
 * One statement, so one snapshot: the batch events recorded before the
 * cutoff go, and exactly the request log rows they hold with them. A batch
 * that straddles the cutoff stays whole, so a rebuild from what is left gives
 * the rows that are left. Configuration streams are never touched: only
 * streams under the request prefix are read. Compressed batches are left to
 * `takeCompressed`: their records cannot be read here.
 */
const prunePlain = `
  WITH gone AS (
    DELETE FROM ${e.table}
    WHERE starts_with(${e.streamId}, $2) AND ${e.recordedAt} < $1::timestamptz
      AND ${e.compressedData} IS NULL
    RETURNING ${e.data}
  ),
  ids AS (
    SELECT record ->> 'requestId' AS id
    FROM gone, jsonb_array_elements(gone.${e.data} -> 'records') AS record
  ),
  rows AS (
    DELETE FROM ${t.table} WHERE ${t.requestId} IN (SELECT id FROM ids) RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone)::text AS events, (SELECT count(*) FROM rows)::text AS rows`;

/*
 * Compressed batches go a few at a time, each chunk in one transaction with
 * the rows its records name, which only this process can read out of them.
 */
const takeCompressed = `
  DELETE FROM ${e.table}
  WHERE ${e.sequence} IN (
    SELECT ${e.sequence} FROM ${e.table}
    WHERE starts_with(${e.streamId}, $2) AND ${e.recordedAt} < $1::timestamptz
      AND ${e.compressedData} IS NOT NULL
    ORDER BY ${e.sequence}
    LIMIT $3
  )
  RETURNING ${compressedDataColumn()} AS compressed`;

const deleteRows = `
  WITH rows AS (
    DELETE FROM ${t.table} WHERE ${t.requestId} = ANY ($1::text[]) RETURNING 1
  )
  SELECT count(*)::text AS rows FROM rows`;

/** Compressed batch events per transaction: about 30,000 records. */
const COMPRESSED_CHUNK = 16;

/**
 * Retention of request records: removes the request batch events recorded
 * before `cutoff` and their rows of the request log. Configuration history
 * is never removed.
 *
 * @example
 * const { events, rows } = await pruneRequests(sql, new Date(Date.now() - 90 * 86_400_000));
 */
export async function pruneRequests(
  sql: SqlClient,
  cutoff: Date,
): Promise<{ events: number; rows: number }> {
  const at = cutoff.toISOString();
  const prefix = requestLogProjection.streamPrefix;

  const { rows } = await sql.query<{ events: string; rows: string }>(prunePlain, [at, prefix]);
  const removed = { events: Number(rows[0]!.events), rows: Number(rows[0]!.rows) };

  for (;;) {
    const taken = await sql.transaction(async (tx) => {
      const gone = await tx.query<{ compressed: string }>(takeCompressed, [
        at,
        prefix,
        COMPRESSED_CHUNK,
      ]);
      const ids = gone.rows.flatMap(({ compressed }) => requestIdsOf(compressed));
      const deleted = await tx.query<{ rows: string }>(deleteRows, [ids]);
      return { events: gone.rows.length, rows: Number(deleted.rows[0]!.rows) };
    });
    removed.events += taken.events;
    removed.rows += taken.rows;
    if (taken.events < COMPRESSED_CHUNK) return removed;
  }
}

/** The request ids of a compressed batch's records; none when it cannot be read. */
function requestIdsOf(compressed: string): string[] {
  let data: unknown;
  try {
    data = dataOf(null, compressed);
  } catch {
    // The projector reported it as malformed and made no rows of it.
    return [];
  }
  return batchRecords(data).flatMap((record) => {
    const id = (record as { requestId?: unknown } | null)?.requestId;
    return typeof id === "string" ? [id] : [];
  });
}
