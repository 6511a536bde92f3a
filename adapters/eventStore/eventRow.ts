import type { GlobalPosition, RecordedEvent } from "../../core/eventStore/eventStore.ts";
import { compressedDataColumn, dataOf } from "./eventData.ts";
import { events as e } from "./tables.ts";

/**
 * The columns every event read selects. Positions travel as text: pg answers
 * int8 and xid8 as strings and PGlite answers int8 as a number, which loses
 * precision past 2^53; text parses to the same bigint on both.
 */
export const eventColumns = `
  ${e.streamId} AS stream_id,
  ${e.streamVersion} AS stream_version,
  ${e.type} AS type,
  ${e.data} AS data,
  ${compressedDataColumn()} AS compressed_data,
  ${e.metadata} AS metadata,
  ${e.transactionId}::text AS transaction_id,
  ${e.sequence}::text AS sequence,
  ${e.recordedAt} AS recorded_at`;

export type EventRow = {
  stream_id: string;
  stream_version: number;
  type: string;
  data: Record<string, unknown> | null;
  /** Base64 of the gzip of the data's JSON, for large data; `data` is null then. */
  compressed_data: string | null;
  metadata: Record<string, unknown>;
  transaction_id: string;
  sequence: string;
  recorded_at: Date | string;
};

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  type: row.type,
  data: dataOf(row.data, row.compressed_data) as Record<string, unknown>,
  metadata: row.metadata,
  position: toPosition(row),
  recordedAt: new Date(row.recorded_at).toISOString(),
});

export const toPosition = (row: { transaction_id: string; sequence: string }): GlobalPosition => ({
  transactionId: BigInt(row.transaction_id),
  sequence: BigInt(row.sequence),
});
