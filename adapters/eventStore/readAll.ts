import type { GlobalPosition, ReadAllResult } from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { eventColumns, toRecordedEvent, type EventRow } from "./eventRow.ts";
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
 */
const selectAfter = `
  SELECT ${eventColumns}
  FROM ${e.table}
  WHERE (${e.transactionId}, ${e.sequence}) > ($1::text::xid8, $2::text::bigint)
    AND ${e.transactionId} < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY ${e.table}.${e.transactionId}, ${e.table}.${e.sequence}
  LIMIT $3`;

/*
 * ORDER BY names the table's columns explicitly: the select list casts them
 * to text under the same names, and an unqualified name there would sort by
 * those text aliases ("10" before "9").
 */

/** Before the first event: real transaction ids start at 3. */
const start: GlobalPosition = { transactionId: 0n, sequence: 0n };

export const defaultReadAllLimit = 1_000;

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
): Promise<ReadAllResult> {
  const from = after ?? start;

  const { rows } = await sql.query<EventRow>(selectAfter, [
    from.transactionId.toString(),
    from.sequence.toString(),
    limit,
  ]);

  const events = rows.map(toRecordedEvent);
  return { events, position: events.at(-1)?.position ?? after };
}
