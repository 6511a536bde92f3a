import { compressedDataColumn, dataOf } from "../eventStore/eventData.ts";
import { events as e } from "../eventStore/tables.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { requestLogProjection } from "./projection.ts";
import { batchRecords } from "./unfoldRecords.ts";

const countPlain = `
  SELECT coalesce(sum(jsonb_array_length(${e.data} -> 'records')), 0)::text AS n
  FROM ${e.table}
  WHERE starts_with(${e.streamId}, $1) AND ${e.compressedData} IS NULL
    AND jsonb_typeof(${e.data} -> 'records') = 'array'`;

/*
 * ORDER BY names the table's column: a bare name would sort by the text
 * alias of the select list ("10" before "9") and pages would skip events.
 */
const compressedAfter = `
  SELECT ${e.sequence}::text AS sequence, ${compressedDataColumn()} AS compressed
  FROM ${e.table}
  WHERE starts_with(${e.streamId}, $1) AND ${e.compressedData} IS NOT NULL
    AND ${e.table}.${e.sequence} > $2::text::bigint
  ORDER BY ${e.table}.${e.sequence}
  LIMIT $3`;

/** Compressed batch events read per query. */
const PAGE = 64;

export type CountOptions = { pageSize?: number };

/**
 * How many request records the log holds, in batches plain and compressed:
 * what a rebuild of the request log has to write, at most (a record that
 * cannot be read, or a request id seen twice, makes no second row).
 *
 * @example
 * const total = await countRecords(sql);
 */
export async function countRecords(sql: SqlExecutor, options: CountOptions = {}): Promise<number> {
  const page = options.pageSize ?? PAGE;
  const prefix = requestLogProjection.streamPrefix;
  const plain = await sql.query<{ n: string }>(countPlain, [prefix]);
  let total = Number(plain.rows[0]!.n);

  let after = "0";
  for (;;) {
    const { rows } = await sql.query<{ sequence: string; compressed: string }>(compressedAfter, [
      prefix,
      after,
      page,
    ]);
    for (const { compressed } of rows) {
      try {
        total += batchRecords(dataOf(null, compressed)).length;
      } catch {
        // Unreadable: the projector makes no rows of it either.
      }
    }
    if (rows.length < page) return total;
    after = rows.at(-1)!.sequence;
  }
}
