import type {
  AppendResult,
  EventInput,
  ExpectedVersion,
} from "../../core/eventStore/eventStore.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { claimVersion } from "./claimVersion.ts";
import { insertEvents, notifyReaders } from "./insertEvents.ts";

/**
 * Appends `events` to one stream in its own transaction, after checking
 * `expected`.
 *
 * @throws VersionConflictError when the stream is not at the expected version;
 *   nothing is written then.
 */
export function appendToStream(
  sql: SqlClient,
  streamId: string,
  events: EventInput[],
  expected: ExpectedVersion,
): Promise<AppendResult> {
  return sql.transaction((tx) => appendToStreamIn(tx, streamId, events, expected));
}

/**
 * Appends inside a transaction the caller holds, so that the append commits
 * or rolls back with the caller's other writes.
 *
 * @throws VersionConflictError when the stream is not at the expected version.
 */
export async function appendToStreamIn(
  tx: SqlExecutor,
  streamId: string,
  events: EventInput[],
  expected: ExpectedVersion,
): Promise<AppendResult> {
  assertEvents(streamId, events);

  const before = await claimVersion(tx, streamId, expected, events.length);
  const lastPosition = await insertEvents(tx, streamId, before, events);
  await notifyReaders(tx);

  return { nextVersion: before + events.length, lastPosition };
}

/** An empty append has no position to answer: a bug in the caller. */
export function assertEvents(streamId: string, events: EventInput[]): void {
  if (events.length === 0) throw new Error(`append to ${streamId} has no events`);
}
