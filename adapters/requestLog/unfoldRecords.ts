/**
 * From batch events to request log rows: one row per record. Pure; the
 * projector inserts what this answers.
 */
import type { RequestEvent } from "../../core/domain/events.ts";
import type { RecordedEvent } from "../../core/eventStore/eventStore.ts";

/** One row of the request log, its columns drawn from the record. */
export type RequestLogRow = {
  requestId: string;
  clientId: string;
  proxyId: string;
  status: string;
  /** ISO-8601 instant the request arrived. */
  occurredAt: string;
  /** Milliseconds, never negative; 0 when the record had none. */
  duration: number;
  responseStatus: number | null;
  record: Record<string, unknown>;
};

/** A record that cannot become a row, and why. */
export type MalformedRecord = { streamId: string; streamVersion: number; reason: string };

export type Unfolded = { rows: RequestLogRow[]; malformed: MalformedRecord[] };

const batchType: RequestEvent["type"] = "ProxyRequestsRecorded";

/**
 * Unfolds every `ProxyRequestsRecorded` event into rows and ignores other
 * event types. A record without an id, a proxy, a client, a status or a
 * readable timestamp is left out and reported: one bad record must not hold
 * the projection back for good, since its event will never change.
 */
export function unfoldRecords(events: RecordedEvent[]): Unfolded {
  const rows: RequestLogRow[] = [];
  const malformed: MalformedRecord[] = [];

  for (const event of events) {
    if (event.type !== batchType) continue;
    const data = event.data as Partial<RequestEvent["data"]>;
    const records = batchRecords(data);

    for (const [index, value] of records.entries()) {
      const row = rowOf(value, data);
      if (typeof row === "string") {
        const { streamId, streamVersion } = event;
        malformed.push({ streamId, streamVersion, reason: `record ${index}: ${row}` });
      } else rows.push(row);
    }
  }

  return { rows, malformed };
}

/** The records a batch event's data holds; none when it holds no list. */
export function batchRecords(data: unknown): unknown[] {
  const records = (data as { records?: unknown } | null)?.records;
  return Array.isArray(records) ? records : [];
}

/** The row of one record, or the reason it has none. */
export function rowOf(
  value: unknown,
  batch: { proxyId?: unknown; clientId?: unknown },
): RequestLogRow | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const record = value as Record<string, unknown>;

  const requestId = text(record.requestId);
  const proxyId = text(record.proxyId) ?? text(batch.proxyId);
  const clientId = text(record.clientId) ?? text(batch.clientId);
  const status = text(record.status);
  const at = typeof record.timestamp === "string" ? Date.parse(record.timestamp) : NaN;
  if (requestId === null) return "no requestId";
  if (proxyId === null || clientId === null) return "no proxyId or clientId";
  if (status === null) return "no status";
  if (Number.isNaN(at)) return "no readable timestamp";

  const duration = Number(record.duration);
  const responseStatus = record.responseStatus;
  return {
    requestId,
    clientId,
    proxyId,
    status,
    occurredAt: new Date(at).toISOString(),
    duration: Number.isFinite(duration) && duration > 0 ? duration : 0,
    responseStatus: isStatusCode(responseStatus) ? responseStatus : null,
    record,
  };
}

/** An integer the column holds (Postgres `integer`); anything else is no status. */
const isStatusCode = (value: unknown): value is number =>
  Number.isInteger(value) && Math.abs(value as number) <= 2_147_483_647;

const text = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;
