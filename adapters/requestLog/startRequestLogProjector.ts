import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type Subscription,
} from "../../core/eventStore/eventStore.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { prepareRequestLog, projectionCheckpoints } from "./prepareRequestLog.ts";
import { projectBatch } from "./projectBatch.ts";
import { checkpointName, requestLogProjection } from "./projection.ts";
import { unfoldRecords, type MalformedRecord } from "./unfoldRecords.ts";

export type RequestLogProjectorOptions = {
  sql: SqlClient;
  store: EventStore;
  /** The projection's version; tests pass others to show a rebuild. */
  version?: number;
  batchSize?: number;
  /** A read, a write or the subscription failed; the same batch is tried again. */
  onError?(error: unknown): void;
  /** Records left out of the log because they cannot be read. */
  onMalformed?(records: MalformedRecord[]): void;
  /** A process with a newer version owns the table; this one stopped writing. */
  onSuperseded?(newerVersion: number): void;
};

export type RequestLogProjector = {
  /** `rebuilt`: an older version's rows were dropped at start. */
  readonly started: { kind: "ready"; rebuilt: boolean } | { kind: "superseded" };
  /** True once a newer version has taken the table over. */
  superseded(): boolean;
  close(): Promise<void>;
};

const filter = { streamPrefix: requestLogProjection.streamPrefix };

/**
 * Keeps the request log current: prepares the table (resume, or rebuild
 * after a version change), then follows the request streams and writes each
 * batch's rows with the checkpoint in one transaction. Several processes may
 * run one each against a shared Postgres: when another moved the checkpoint
 * first, this one re-reads it and continues from there, so no event is
 * skipped and none is written twice (rows are keyed by request id).
 *
 * @example
 * const projector = await startRequestLogProjector({ sql, store, onError: report });
 * // … later
 * await projector.close();
 */
export async function startRequestLogProjector(
  options: RequestLogProjectorOptions,
): Promise<RequestLogProjector> {
  const { sql, store } = options;
  const version = options.version ?? requestLogProjection.version;
  const batchSize = options.batchSize ?? 500;
  const name = checkpointName(version);

  const prepared = await prepareRequestLog(sql, version);
  if (prepared.kind === "superseded") {
    options.onSuperseded?.(prepared.newerVersion);
    return { started: { kind: "superseded" }, superseded: () => true, close: async () => {} };
  }

  let known: GlobalPosition | null = prepared.position;
  let supersededBy: number | null = null;
  let subscription: Subscription | null = null;

  const isAfter = (position: GlobalPosition, than: GlobalPosition | null) =>
    than === null || comparePositions(position, than) > 0;

  const project = async (
    events: RecordedEvent[],
    expected: GlobalPosition | null,
    next: GlobalPosition,
  ): Promise<boolean> => {
    const { rows, malformed } = unfoldRecords(events);
    const stored = await projectBatch(sql, name, expected, next, rows);
    if (stored && malformed.length > 0) options.onMalformed?.(malformed);
    return stored;
  };

  /*
   * The checkpoint moved under us. Whoever moved it may have stopped short of
   * what this batch covers (a reset goes back to the start), so the log is
   * read again from the stored checkpoint up to `through`, page by page.
   */
  const continueFromStored = async (through: GlobalPosition): Promise<void> => {
    for (;;) {
      const found = await projectionCheckpoints(sql);
      const newer = found.find((checkpoint) => checkpoint.version > version);
      if (newer !== undefined) {
        supersededBy = newer.version;
        options.onSuperseded?.(newer.version);
        void subscription?.close();
        return;
      }

      known = found.find((checkpoint) => checkpoint.version === version)?.position ?? null;
      if (!isAfter(through, known)) return;

      const page = await store.readAll(known, batchSize, filter);
      if (page.position === null || !isAfter(page.position, known))
        throw new Error("request log: the log did not reach a position already delivered");
      if (await project(page.events, known, page.position)) known = page.position;
    }
  };

  const handle = async (events: RecordedEvent[]): Promise<void> => {
    const last = events.at(-1)?.position;
    if (supersededBy !== null || last === undefined || !isAfter(last, known)) return;

    const fresh = events.filter((event) => isAfter(event.position, known));
    if (await project(fresh, known, last)) {
      known = last;
      return;
    }
    await continueFromStored(last);
  };

  subscription = store.subscribe({
    after: known,
    filter,
    batchSize,
    handle,
    onError: (error) => options.onError?.(error),
  });

  return {
    started: { kind: "ready", rebuilt: prepared.rebuilt },
    superseded: () => supersededBy !== null,
    close: async () => {
      await subscription?.close();
    },
  };
}
