import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { toPosition } from "../eventStore/eventRow.ts";
import { checkpoints as c, events as e } from "../eventStore/tables.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { checkpointName, checkpointPrefix, requestLogProjection } from "./projection.ts";
import { requestLog as t } from "./tables.ts";

/** Where a projection that starts over resumes: before the first event. */
export const logStart: GlobalPosition = { transactionId: 0n, sequence: 0n };

/*
 * TRUNCATE comes first: it waits (ACCESS EXCLUSIVE) for any projector
 * transaction in flight, which writes rows before it moves its checkpoint, so
 * the two never wait on each other in opposite orders. Every checkpoint of
 * the projection goes, whatever its version, and the current one starts over.
 */
const truncate = `TRUNCATE ${t.table}`;
const dropCheckpoints = `DELETE FROM ${c.table} WHERE starts_with(${c.name}, $1)`;
const insertStart = `
  INSERT INTO ${c.table} (${c.name}, ${c.transactionId}, ${c.sequence})
  VALUES ($1, $2::text::xid8, $3::text::bigint)`;

/**
 * Empties the request log and sets its checkpoint back to the start of the
 * log, inside the caller's transaction. A projector running anywhere loses
 * its next compare-and-set, re-reads the checkpoint and projects the log
 * again from there.
 */
export async function resetRequestLogIn(
  tx: SqlExecutor,
  version: number = requestLogProjection.version,
): Promise<void> {
  await tx.query(truncate);
  await tx.query(dropCheckpoints, [checkpointPrefix]);
  await tx.query(insertStart, [
    checkpointName(version),
    logStart.transactionId.toString(),
    logStart.sequence.toString(),
  ]);
}

/*
 * ORDER BY names the table's columns: the select list casts them to text,
 * and a bare name would sort by that text, where "9" comes after "10".
 */
const newestRequestEvent = `
  SELECT ${e.transactionId}::text AS transaction_id, ${e.sequence}::text AS sequence
  FROM ${e.table}
  WHERE starts_with(${e.streamId}, $1)
  ORDER BY ${e.table}.${e.transactionId} DESC, ${e.table}.${e.sequence} DESC
  LIMIT 1`;

/**
 * The position of the newest request batch event, or null when there is
 * none: a rebuild is done once its checkpoint reaches it.
 */
export async function newestRequestPosition(sql: SqlExecutor): Promise<GlobalPosition | null> {
  const { rows } = await sql.query<{ transaction_id: string; sequence: string }>(
    newestRequestEvent,
    [requestLogProjection.streamPrefix],
  );
  return rows[0] === undefined ? null : toPosition(rows[0]);
}

/**
 * Drops the request log's rows and resets its checkpoint, in one
 * transaction; the projectors of every process then rebuild it from the log
 * (`ferry projections rebuild request_log`).
 *
 * @example
 * await rebuildRequestLog(sql); // the running projector refills the table
 */
export function rebuildRequestLog(sql: SqlClient): Promise<void> {
  return sql.transaction((tx) => resetRequestLogIn(tx));
}
