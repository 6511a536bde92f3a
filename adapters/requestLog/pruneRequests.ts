import { events as e } from "../eventStore/tables.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { requestLogProjection } from "./projection.ts";
import { requestLog as t } from "./tables.ts";

/*
 * One statement, so one snapshot: the batch events recorded before the
 * cutoff go, and exactly the request log rows they hold with them. A batch
 * that straddles the cutoff stays whole, so a rebuild from what is left gives
 * the rows that are left. Configuration streams are never touched: only
 * streams under the request prefix are read.
 */
const prune = `
  WITH gone AS (
    DELETE FROM ${e.table}
    WHERE starts_with(${e.streamId}, $2) AND ${e.recordedAt} < $1::timestamptz
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

/**
 * Retention of request records: removes the request batch events recorded
 * before `cutoff` and their rows of the request log, in one statement.
 * Configuration history is never removed.
 *
 * @example
 * const { events, rows } = await pruneRequests(sql, new Date(Date.now() - 90 * 86_400_000));
 */
export async function pruneRequests(
  sql: SqlExecutor,
  cutoff: Date,
): Promise<{ events: number; rows: number }> {
  const { rows } = await sql.query<{ events: string; rows: string }>(prune, [
    cutoff.toISOString(),
    requestLogProjection.streamPrefix,
  ]);
  return { events: Number(rows[0]!.events), rows: Number(rows[0]!.rows) };
}
