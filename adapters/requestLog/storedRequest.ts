import { requestLog as t } from "./tables.ts";

/** A request as the log keeps it: the record, and the columns read from it. */
export type StoredRequest = {
  record: Record<string, unknown>;
  status: string;
  duration: number;
  responseStatus: number | null;
  /** ISO-8601 UTC to the millisecond. */
  timestamp: string;
};

/**
 * The columns every read of whole records selects. The timestamp travels as
 * text to the microsecond, the precision Postgres keeps: the keyset cursor
 * must compare exactly what the index holds.
 */
export const storedColumns = `
  ${t.record} AS record,
  ${t.status} AS status,
  ${t.duration} AS duration,
  ${t.responseStatus} AS response_status,
  ${t.requestId} AS request_id,
  to_char(${t.occurredAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at`;

export type StoredRow = {
  record: Record<string, unknown>;
  status: string;
  duration: number;
  response_status: number | null;
  request_id: string;
  occurred_at: string;
};

export const toStoredRequest = (row: StoredRow): StoredRequest => ({
  record: row.record,
  status: row.status,
  duration: Number(row.duration),
  responseStatus: row.response_status,
  timestamp: new Date(row.occurred_at).toISOString(),
});
