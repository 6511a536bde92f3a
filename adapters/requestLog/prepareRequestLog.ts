import type { GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { toPosition } from "../eventStore/eventRow.ts";
import { checkpoints as c } from "../eventStore/tables.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { checkpointPrefix, versionOf } from "./projection.ts";
import { logStart, resetRequestLogIn } from "./rebuildRequestLog.ts";

/** What a projector of `version` finds at start. */
export type Preparation =
  /** Resume after `position`; `rebuilt` when an older version's rows were dropped. */
  | { kind: "ready"; position: GlobalPosition; rebuilt: boolean }
  /** A newer version owns the table: this process must not write to it. */
  | { kind: "superseded"; newerVersion: number };

/*
 * Processes that start at once against one Postgres take turns here, so that
 * exactly one of them drops an older version's rows. The key includes the
 * schema, so test schemas do not wait on each other.
 */
const takeLock = `
  SELECT pg_advisory_xact_lock(hashtext('ferry_request_log'), hashtext(current_schema()))`;

const selectCheckpoints = `
  SELECT ${c.name} AS name, ${c.transactionId}::text AS transaction_id, ${c.sequence}::text AS sequence
  FROM ${c.table}
  WHERE starts_with(${c.name}, $1)`;

type CheckpointRow = { name: string; transaction_id: string; sequence: string };

/**
 * Makes the request log ready for a projector of `version`: resumes from its
 * checkpoint when one exists; otherwise (first start, or the projection
 * changed) empties the table and starts over from the beginning of the log.
 * A newer version's checkpoint means a newer process owns the table (a
 * rolling upgrade): the answer is `superseded` and nothing is touched.
 */
export function prepareRequestLog(sql: SqlClient, version: number): Promise<Preparation> {
  return sql.transaction(async (tx) => {
    await tx.query(takeLock);
    const found = await projectionCheckpoints(tx);

    const newer = Math.max(0, ...found.map((row) => row.version).filter((v) => v > version));
    if (newer > 0) return { kind: "superseded", newerVersion: newer };

    const current = found.find((row) => row.version === version);
    if (current !== undefined) return { kind: "ready", position: current.position, rebuilt: false };

    await resetRequestLogIn(tx, version);
    return { kind: "ready", position: logStart, rebuilt: found.length > 0 };
  });
}

/** The checkpoints of every version of the projection. */
export async function projectionCheckpoints(
  tx: SqlExecutor,
): Promise<{ name: string; version: number; position: GlobalPosition }[]> {
  const { rows } = await tx.query<CheckpointRow>(selectCheckpoints, [checkpointPrefix]);

  return rows.flatMap((row) => {
    const version = versionOf(row.name);
    return version === null ? [] : [{ name: row.name, version, position: toPosition(row) }];
  });
}
