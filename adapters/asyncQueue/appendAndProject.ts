/**
 * A queued request's append and its row in one SQL statement: the same
 * version check, event insert and NOTIFY as the event store's
 * `appendToStreamIn`, plus the queue row of the state the events make. One
 * statement is one round trip and its own transaction, where the general
 * path takes seven; on the embedded store, which runs one statement at a
 * time, that is most of the cost of a submission and of an attempt.
 */
import type { AsyncRequest } from "../../core/async/asyncRequest.ts";
import type { AsyncEvent } from "../../core/domain/asyncEvents.ts";
import {
  VersionConflictError,
  expectExact,
  type ExpectedVersion,
} from "../../core/eventStore/eventStore.ts";
import { events as e, eventsChannel, streams as s } from "../eventStore/tables.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import {
  queueRowColumns,
  queueRowOnConflict,
  queueRowPlaceholders,
  queueRowValues,
} from "./queueRow.ts";
import { asyncChannel, asyncRequests as t } from "./tables.ts";

/*
 * $1 stream id, $2 expected version (unused for a new stream), $3 event
 * count, $4 the events as one JSON array, $5… the row, then the lease. Every later part
 * reads `claimed`, so a failed version check writes nothing, and the
 * answer says so. The events' ORDER BY makes sequence values follow stream
 * versions, as in `insertEvents`.
 */
const statement = (newStream: boolean) => `
  WITH claimed AS (
    ${
      newStream
        ? `INSERT INTO ${s.table} (${s.streamId}, ${s.version})
           SELECT $1::text, $3::integer WHERE $2::integer = 0
           ON CONFLICT (${s.streamId}) DO NOTHING`
        : `UPDATE ${s.table} SET ${s.version} = ${s.version} + $3::integer
           WHERE ${s.streamId} = $1::text AND ${s.version} = $2::integer`
    }
    RETURNING ${s.version} - $3::integer AS before
  ),
  inserted AS (
    INSERT INTO ${e.table} (${e.streamId}, ${e.streamVersion}, ${e.type}, ${e.data}, ${e.metadata})
    SELECT $1::text, claimed.before + item.ord, item.event->>'type', item.event->'data',
           coalesce(item.event->'metadata', '{}'::jsonb)
    FROM claimed, jsonb_array_elements($4::text::jsonb) WITH ORDINALITY AS item(event, ord)
    ORDER BY item.ord
    RETURNING 1
  ),
  projected AS (
    INSERT INTO ${t.table} AS row (${queueRowColumns.join(", ")})
    SELECT ${queueRowPlaceholders(5)} FROM claimed
    ${queueRowOnConflict(5 + queueRowColumns.length)}
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM inserted)::integer AS inserted,
         (SELECT count(*) FROM projected)::integer AS projected,
         CASE WHEN EXISTS (SELECT 1 FROM claimed) THEN pg_notify('${eventsChannel}', '') END AS events,
         CASE WHEN EXISTS (SELECT 1 FROM claimed) THEN pg_notify('${asyncChannel}', '') END AS queue`;

const withNewStream = statement(true);
const withVersion = statement(false);

const currentVersion = `SELECT ${s.version} AS version FROM ${s.table} WHERE ${s.streamId} = $1`;

/**
 * Appends `events` to `streamId` at version `state.version - events.length`
 * and writes the row of `state` (the state after them).
 *
 * @throws VersionConflictError when the stream is not at that version; nothing is written then.
 */
export async function appendAndProject(
  sql: SqlExecutor,
  streamId: string,
  events: (AsyncEvent & { metadata?: Record<string, unknown> })[],
  state: AsyncRequest,
  /** For a request going in flight: the lease its worker now holds until. */
  leaseUntil: Date | null = null,
): Promise<void> {
  const before = state.version - events.length;
  const payload = JSON.stringify(
    events.map(({ type, data, metadata }) => ({ type, data, metadata: metadata ?? {} })),
  );
  const { rows } = await sql.query<{ inserted: number }>(
    before === 0 ? withNewStream : withVersion,
    [
      streamId,
      before,
      events.length,
      payload,
      ...queueRowValues(state),
      leaseUntil?.toISOString() ?? null,
    ],
  );
  if (rows[0]?.inserted === events.length) return;
  const actual = await sql.query<{ version: number }>(currentVersion, [streamId]);
  const expected: ExpectedVersion = expectExact(before);
  throw new VersionConflictError(streamId, expected, actual.rows[0]?.version ?? 0);
}
