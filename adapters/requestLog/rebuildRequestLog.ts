import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { checkpoints as c } from "../eventStore/tables.ts";
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
