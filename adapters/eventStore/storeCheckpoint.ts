import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { checkpoints as c } from "./tables.ts";

/*
 * Compare-and-set in one statement each. A concurrent writer of the same
 * name waits on the row (or on the unique index for the first insert) and
 * then finds the condition false: exactly one of them moves the checkpoint.
 */
const insertFirst = `
  INSERT INTO ${c.table} (${c.name}, ${c.transactionId}, ${c.sequence})
  VALUES ($1, $2::text::xid8, $3::text::bigint)
  ON CONFLICT (${c.name}) DO NOTHING
  RETURNING 1 AS stored`;

const moveFrom = `
  UPDATE ${c.table}
  SET ${c.transactionId} = $2::text::xid8, ${c.sequence} = $3::text::bigint, ${c.updatedAt} = now()
  WHERE ${c.name} = $1
    AND ${c.transactionId} = $4::text::xid8 AND ${c.sequence} = $5::text::bigint
  RETURNING 1 AS stored`;

/**
 * Stores `next` as checkpoint `name` only if the stored one equals `expected`
 * (null: none stored yet). Answers false when another writer moved it first.
 */
export function storeCheckpoint(
  sql: SqlClient,
  name: string,
  expected: GlobalPosition | null,
  next: GlobalPosition,
): Promise<boolean> {
  return storeCheckpointIn(sql, name, expected, next);
}

/**
 * `storeCheckpoint` inside a transaction the caller holds, so that a read
 * model write and its checkpoint commit together or not at all.
 *
 * @example
 * await sql.transaction(async (tx) => {
 *   await writeReadModel(tx, events);
 *   if (!(await storeCheckpointIn(tx, "proxy_table", before, after))) {
 *     throw new Error("another projector moved the checkpoint"); // rolls back the write
 *   }
 * });
 */
export async function storeCheckpointIn(
  tx: SqlExecutor,
  name: string,
  expected: GlobalPosition | null,
  next: GlobalPosition,
): Promise<boolean> {
  const nextParams = [name, next.transactionId.toString(), next.sequence.toString()];

  const { rows } =
    expected === null
      ? await tx.query(insertFirst, nextParams)
      : await tx.query(moveFrom, [
          ...nextParams,
          expected.transactionId.toString(),
          expected.sequence.toString(),
        ]);

  return rows.length === 1;
}
