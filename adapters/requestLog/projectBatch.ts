import { comparePositions, type GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { dataOf, inflatedJson } from "../eventStore/eventData.ts";
import { toPosition } from "../eventStore/eventRow.ts";
import { storeCheckpointIn } from "../eventStore/storeCheckpoint.ts";
import { events as e } from "../eventStore/tables.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { insertRows } from "./insertRows.ts";
import { requestLog as t } from "./tables.ts";
import { batchRecords, rowOf, type MalformedRecord, type RequestLogRow } from "./unfoldRecords.ts";
import { unfoldFromLog, unfoldGiven } from "./unfoldSql.ts";

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

type UnfoldedRow = {
  is_summary: boolean;
  stream_id: string | null;
  stream_version: number | null;
  ord: number | null;
  rec: unknown;
  batch: { proxyId?: unknown; clientId?: unknown } | null;
  /** A compressed batch event's data (base64 of gzip), unfolded here whole. */
  compressed: string | null;
  picked: number | null;
  transaction_id: string | null;
  sequence: string | null;
  head_transaction_id: string | null;
  head_sequence: string | null;
};

/** What one step of `projectFromLog` did. */
export type LogStep =
  /** No request events after `from`; the log was read up to `scanned`. */
  | { kind: "idle"; scanned: GlobalPosition | null }
  /** Rows written and the checkpoint moved to `position`. */
  | { kind: "stored"; position: GlobalPosition; events: number; malformed: MalformedRecord[] }
  /** The checkpoint no longer stood at `expected`: nothing was written. */
  | { kind: "moved" };

/**
 * Projects up to `limit` request events after `from` straight from the
 * event table, and moves checkpoint `name` from `expected` past them, in one
 * transaction. `from` may be ahead of `expected` when the events between
 * them are known to hold no request records (an earlier idle step scanned
 * them). Records that cannot be read are left out and answered as
 * `malformed`, exactly as `unfoldRecords` reports them.
 *
 * @example
 * const step = await projectFromLog(sql, "request_log@1", known, known, 32, "requests-");
 * if (step.kind === "stored") known = step.position;
 */
export async function projectFromLog(
  sql: SqlClient,
  name: string,
  expected: GlobalPosition | null,
  from: GlobalPosition,
  limit: number,
  streamPrefix: string,
): Promise<LogStep> {
  try {
    return await sql.transaction((tx) => stepIn(tx, name, expected, from, limit, streamPrefix));
  } catch (error) {
    if (error instanceof CheckpointMoved) return { kind: "moved" };
    throw error;
  }
}

async function stepIn(
  tx: SqlExecutor,
  name: string,
  expected: GlobalPosition | null,
  from: GlobalPosition,
  limit: number,
  streamPrefix: string,
): Promise<LogStep> {
  const { rows } = await tx.query<UnfoldedRow>(unfoldFromLog, [
    from.transactionId.toString(),
    from.sequence.toString(),
    limit,
    streamPrefix,
  ]);
  const summary = rows.find((row) => row.is_summary);
  const picked = summary?.picked ?? 0;
  const head = positionOf(summary?.head_transaction_id, summary?.head_sequence);
  if (picked === 0) return { kind: "idle", scanned: head ?? from };

  const last = positionOf(summary?.transaction_id, summary?.sequence)!;
  // As `readAll` with a filter: when fewer events than asked came back,
  // everything up to the head was read or left out.
  const position =
    picked >= limit || head === null || comparePositions(head, last) <= 0 ? last : head;

  const leftOver = rows.filter((row) => !row.is_summary && row.compressed === null);
  const compressed = rows.filter((row) => row.compressed !== null);
  if (compressed.length > 0) leftOver.push(...(await unfoldCompressed(tx, compressed)));
  const { rows: slowRows, malformed } = unfoldLeftOver(leftOver);
  await insertRows(tx, slowRows);
  if (!(await storeCheckpointIn(tx, name, expected, position))) throw new CheckpointMoved();
  return { kind: "stored", position, events: picked, malformed };
}

/**
 * Compressed batches, inflated here and unfolded in Postgres by the same
 * rules as the others (`unfoldGiven`): only the inflated JSON text travels
 * back, never parsed in this process. Answers the rows left to JS. A batch
 * that does not inflate, or a statement that fails on what it inflated to,
 * goes whole to `unfoldLeftOver` instead, which reports what it cannot read.
 */
async function unfoldCompressed(tx: SqlExecutor, batches: UnfoldedRow[]): Promise<UnfoldedRow[]> {
  const leftOver: UnfoldedRow[] = [];
  for (let start = 0; start < batches.length; start += GIVEN_CHUNK) {
    const chunk = batches.slice(start, start + GIVEN_CHUNK);
    const given: string[] = [];
    for (const batch of chunk) {
      let json: string;
      try {
        json = inflatedJson(batch.compressed!);
      } catch {
        leftOver.push(batch);
        continue;
      }
      given.push(
        `{"streamId":${JSON.stringify(batch.stream_id)},"streamVersion":${batch.stream_version},"data":${json}}`,
      );
    }
    if (given.length === 0) continue;

    await tx.query("SAVEPOINT unfold_given");
    try {
      const { rows } = await tx.query<UnfoldedRow>(unfoldGiven, [`[${given.join(",")}]`]);
      await tx.query("RELEASE SAVEPOINT unfold_given");
      leftOver.push(...rows);
    } catch {
      await tx.query("ROLLBACK TO SAVEPOINT unfold_given");
      leftOver.push(...chunk.filter((batch) => !leftOver.includes(batch)));
    }
  }
  return leftOver;
}

/** Compressed batches per statement: a few megabytes of JSON at most. */
const GIVEN_CHUNK = 4;

/**
 * The records SQL left out and the compressed batches it cannot read,
 * unfolded by the same rules as `unfoldRecords`.
 */
function unfoldLeftOver(rows: UnfoldedRow[]): {
  rows: RequestLogRow[];
  malformed: MalformedRecord[];
} {
  const unfolded: RequestLogRow[] = [];
  const malformed: MalformedRecord[] = [];
  const leaveOut = (row: UnfoldedRow, reason: string) =>
    malformed.push({ streamId: row.stream_id!, streamVersion: row.stream_version!, reason });
  const unfold = (
    row: UnfoldedRow,
    record: unknown,
    batch: UnfoldedRow["batch"],
    index: number,
  ) => {
    const result = rowOf(record, batch ?? {});
    if (typeof result !== "string") unfolded.push(result);
    else leaveOut(row, `record ${index}: ${result}`);
  };
  for (const row of rows) {
    if (row.compressed === null) {
      unfold(row, row.rec, row.batch, row.ord! - 1);
      continue;
    }
    let data: { records?: unknown; proxyId?: unknown; clientId?: unknown } | null;
    try {
      data = dataOf(null, row.compressed) as typeof data;
    } catch (error) {
      // Bytes that do not inflate to JSON will not change: reported, not retried.
      const cause = error instanceof Error ? error.message : String(error);
      leaveOut(row, `compressed data cannot be read: ${cause}`);
      continue;
    }
    const records = batchRecords(data);
    for (const [index, record] of records.entries()) unfold(row, record, data, index);
  }
  return { rows: unfolded, malformed };
}

const positionOf = (
  transactionId: string | null | undefined,
  sequence: string | null | undefined,
): GlobalPosition | null =>
  transactionId == null || sequence == null
    ? null
    : toPosition({ transaction_id: transactionId, sequence });
