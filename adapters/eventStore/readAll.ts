import {
  comparePositions,
  type GlobalPosition,
  type ReadAllResult,
  type ReadFilter,
} from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { eventColumns, toPosition, toRecordedEvent, type EventRow } from "./eventRow.ts";
import { events as e } from "./tables.ts";

/*
 * The xid8 fence: a transaction that started before another may commit
 * after it, so a reader that went past the younger one's events would skip
 * the older one's for good. Rows are read in (transaction id, sequence)
 * order, and only from transactions older than the oldest still in flight
 * (pg_snapshot_xmin of the current snapshot): those have all committed or
 * rolled back, and nothing can be inserted before them any more. The price is
 * that one long transaction anywhere in the cluster holds every reader back
 * until it ends.
 *
 * ORDER BY names the table's columns: the select list casts them to text
 * under the same names, and a bare name there would sort by those text
 * aliases ("10" before "9").
 */
const selectAfter = `
  SELECT ${eventColumns}
  FROM ${e.table}
  WHERE (${e.transactionId}, ${e.sequence}) > ($1::text::xid8, $2::text::bigint)
    AND ${e.transactionId} < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY ${e.table}.${e.transactionId}, ${e.table}.${e.sequence}
  LIMIT $3`;

/** Before the first event: real transaction ids start at 3. */
const start: GlobalPosition = { transactionId: 0n, sequence: 0n };

export const defaultReadAllLimit = 1_000;

/*
 * With a filter, the same fenced read leaves out the streams the filter
 * excludes (a null prefix leaves nothing out on its side), and
 * `head` (the newest event under the fence, found by one backward index step)
 * tells how far the read got: when fewer rows than the limit come back, every
 * event up to `head` was either returned or excluded, so the reader may
 * resume after it. Both come from one statement, hence one snapshot.
 */
const selectFilteredAfter = `
  WITH fence AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  picked AS (
    SELECT ${eventColumns}, ${e.table}.${e.transactionId} AS tx_order, ${e.table}.${e.sequence} AS seq_order
    FROM ${e.table}, fence
    WHERE (${e.table}.${e.transactionId}, ${e.table}.${e.sequence}) > ($1::text::xid8, $2::text::bigint)
      AND ${e.table}.${e.transactionId} < fence.xmin
      AND ($4::text[] IS NULL OR NOT (${e.table}.${e.streamId} ^@ ANY ($4::text[])))
      AND ($5::text IS NULL OR starts_with(${e.table}.${e.streamId}, $5::text))
    ORDER BY ${e.table}.${e.transactionId}, ${e.table}.${e.sequence}
    LIMIT $3
  ),
  head AS (
    SELECT ${e.table}.${e.transactionId}::text AS transaction_id, ${e.table}.${e.sequence}::text AS sequence
    FROM ${e.table}, fence
    WHERE ${e.table}.${e.transactionId} < fence.xmin
    ORDER BY ${e.table}.${e.transactionId} DESC, ${e.table}.${e.sequence} DESC
    LIMIT 1
  )
  SELECT false AS is_head, stream_id, stream_version, type, data, compressed_data, metadata,
         transaction_id, sequence, recorded_at
  FROM (SELECT * FROM picked ORDER BY tx_order, seq_order) AS ordered
  UNION ALL
  SELECT true, NULL, NULL, NULL, NULL, NULL, NULL, transaction_id, sequence, NULL FROM head`;

/**
 * Reads up to `limit` events of the whole log after `after` (from the start
 * when null), in log order, and answers the position to resume from. Events
 * of transactions still in flight, and of any younger transaction, are not
 * returned until those end: a reader may lag, and never skips.
 */
export async function readAll(
  sql: SqlExecutor,
  after: GlobalPosition | null,
  limit = defaultReadAllLimit,
  filter: ReadFilter = {},
): Promise<ReadAllResult> {
  const from = after ?? start;
  if (excludedPrefixes(filter) !== null || filter.streamPrefix)
    return readFiltered(sql, after, from, limit, filter);

  const { rows } = await sql.query<EventRow>(selectAfter, [
    from.transactionId.toString(),
    from.sequence.toString(),
    limit,
  ]);

  const events = rows.map(toRecordedEvent);
  return { events, position: events.at(-1)?.position ?? after };
}

async function readFiltered(
  sql: SqlExecutor,
  after: GlobalPosition | null,
  from: GlobalPosition,
  limit: number,
  filter: ReadFilter,
): Promise<ReadAllResult> {
  const { rows } = await sql.query<EventRow & { is_head: boolean }>(selectFilteredAfter, [
    from.transactionId.toString(),
    from.sequence.toString(),
    limit,
    excludedPrefixes(filter),
    filter.streamPrefix || null,
  ]);

  const events = rows.filter((row) => !row.is_head).map(toRecordedEvent);
  const headRow = rows.find((row) => row.is_head);
  const head = headRow ? toPosition(headRow) : null;
  const last = events.at(-1)?.position ?? after;

  if (events.length >= limit || head === null) return { events, position: last };
  const position = last === null || comparePositions(head, last) > 0 ? head : last;
  return {
    events,
    position: after !== null && comparePositions(position, after) < 0 ? after : position,
  };
}

/** The excluded prefixes as one array parameter; null when none. */
function excludedPrefixes(filter: ReadFilter): string[] | null {
  const given = filter.excludeStreamPrefix;
  const prefixes = (typeof given === "string" ? [given] : (given ?? [])).filter(Boolean);
  return prefixes.length === 0 ? null : [...prefixes];
}
