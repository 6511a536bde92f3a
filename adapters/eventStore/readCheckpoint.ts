import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { toPosition } from "./eventRow.ts";
import { checkpoints as c } from "./tables.ts";

const selectCheckpoint = `
  SELECT ${c.transactionId}::text AS transaction_id, ${c.sequence}::text AS sequence
  FROM ${c.table}
  WHERE ${c.name} = $1`;

/**
 * Answers the position a projection has stored, or null before its first.
 * Takes an executor so that a projection can read it in the transaction that
 * will move it.
 */
export async function readCheckpoint(
  sql: SqlExecutor,
  name: string,
): Promise<GlobalPosition | null> {
  const { rows } = await sql.query<{ transaction_id: string; sequence: string }>(selectCheckpoint, [
    name,
  ]);

  const row = rows[0];
  return row === undefined ? null : toPosition(row);
}
