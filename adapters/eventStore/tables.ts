/**
 * Table and column names of the event store, in one place. The DDL that
 * creates them is `adapters/sql/migrations/001_event_store.sql`; the contract
 * suite checks that the two agree.
 */
export const streams = {
  table: "ferry_streams",
  streamId: "stream_id",
  version: "version",
} as const;

export const events = {
  table: "ferry_events",
  sequence: "sequence",
  transactionId: "transaction_id",
  streamId: "stream_id",
  streamVersion: "stream_version",
  type: "type",
  data: "data",
  /** Gzip of the data's JSON when the data is large; `data` is then JSON null. */
  compressedData: "compressed_data",
  metadata: "metadata",
  recordedAt: "recorded_at",
} as const;

export const checkpoints = {
  table: "ferry_checkpoints",
  name: "name",
  transactionId: "transaction_id",
  sequence: "sequence",
  updatedAt: "updated_at",
} as const;

/** The NOTIFY channel an append signals on, in its own transaction. */
export const eventsChannel = "ferry_events";
