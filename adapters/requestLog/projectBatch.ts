import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { storeCheckpointIn } from "../eventStore/storeCheckpoint.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { insertRows } from "./insertRows.ts";
import type { RequestLogRow } from "./unfoldRecords.ts";

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
