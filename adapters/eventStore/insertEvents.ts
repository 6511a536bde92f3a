import type { EventInput, GlobalPosition } from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { storedDataFields } from "./eventData.ts";
import { toPosition } from "./eventRow.ts";
import { eventsChannel, events as e } from "./tables.ts";

/*
 * All events of one append go in as one JSON array: one round trip for any
 * batch size, and the same parameter handling on pg and PGlite. Large data
 * arrives compressed, as base64 in `gzip` (`eventData.ts`). The ORDER BY
 * makes sequence values follow stream versions.
 */
const insert = `
  INSERT INTO ${e.table} (
    ${e.streamId}, ${e.streamVersion}, ${e.type}, ${e.data}, ${e.compressedData}, ${e.metadata}
  )
  SELECT $1, $2::integer + item.ord, item.event->>'type', item.event->'data',
         decode(item.event->>'gzip', 'base64'),
         coalesce(item.event->'metadata', '{}'::jsonb)
  FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY AS item(event, ord)
  ORDER BY item.ord
  RETURNING ${e.transactionId}::text AS transaction_id, ${e.sequence}::text AS sequence`;

/** Wakes listening readers when the transaction commits, never before. */
const notify = `SELECT pg_notify('${eventsChannel}', '')`;

/**
 * Inserts events after stream version `before`, whose check has already
 * passed (`claimVersion`). Answers the position of the last one.
 */
export async function insertEvents(
  tx: SqlExecutor,
  streamId: string,
  before: number,
  events: EventInput[],
): Promise<GlobalPosition> {
  const items = events.map(
    ({ type, data, metadata }) =>
      `{"type":${JSON.stringify(type)},${storedDataFields(data)},"metadata":${JSON.stringify(metadata ?? {})}}`,
  );
  const payload = `[${items.join(",")}]`;

  const { rows } = await tx.query<{ transaction_id: string; sequence: string }>(insert, [
    streamId,
    before,
    payload,
  ]);

  return rows.map(toPosition).reduce((a, b) => (b.sequence > a.sequence ? b : a));
}

/** Signals listening readers once the appending transaction commits. */
export async function notifyReaders(tx: SqlExecutor): Promise<void> {
  await tx.query(notify);
}
