import type {
  AppendResult,
  EventInput,
  ExpectedVersion,
} from "../../core/eventStore/eventStore.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { assertEvents } from "./appendToStream.ts";
import { claimVersion } from "./claimVersion.ts";
import { insertEvents, notifyReaders } from "./insertEvents.ts";

export type StreamAppend = { streamId: string; events: EventInput[]; expected: ExpectedVersion };

/**
 * Appends to several streams in one transaction: all or nothing. Answers one
 * result per append, in the order given; a stream may appear more than once.
 *
 * Every expected version is checked before any event is inserted, in stream
 * id order: two batches claiming the same streams in different orders would
 * otherwise deadlock on the stream rows. Events then take their positions in
 * the order given.
 *
 * @throws VersionConflictError for the first stream (in id order) whose
 *   expected version fails; nothing is written then.
 */
export function appendMany(sql: SqlClient, appends: StreamAppend[]): Promise<AppendResult[]> {
  for (const { streamId, events } of appends) assertEvents(streamId, events);
  if (appends.length === 0) return Promise.resolve([]);

  const claimOrder = appends
    .map((append, index) => ({ append, index }))
    .sort((a, b) => compareIds(a.append.streamId, b.append.streamId) || a.index - b.index);

  return sql.transaction(async (tx) => {
    const before: number[] = [];
    for (const { append, index } of claimOrder) {
      before[index] = await claimVersion(
        tx,
        append.streamId,
        append.expected,
        append.events.length,
      );
    }

    const results: AppendResult[] = [];
    for (const [index, { streamId, events }] of appends.entries()) {
      const from = before[index] ?? 0;
      const lastPosition = await insertEvents(tx, streamId, from, events);
      results.push({ nextVersion: from + events.length, lastPosition });
    }
    await notifyReaders(tx);

    return results;
  });
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
