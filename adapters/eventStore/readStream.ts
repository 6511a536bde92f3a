import type { ReadStreamResult } from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { eventColumns, toRecordedEvent, type EventRow } from "./eventRow.ts";
import { events as e } from "./tables.ts";

const selectStream = `
  SELECT ${eventColumns}
  FROM ${e.table}
  WHERE ${e.streamId} = $1
  ORDER BY ${e.streamVersion}`;

/**
 * Reads one stream's committed events in version order. The current version
 * is the last event's, so the two always agree even while others append.
 */
export async function readStream(sql: SqlExecutor, streamId: string): Promise<ReadStreamResult> {
  const { rows } = await sql.query<EventRow>(selectStream, [streamId]);

  const events = rows.map(toRecordedEvent);
  return { events, currentVersion: events.at(-1)?.streamVersion ?? 0 };
}
