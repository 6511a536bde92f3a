import { comparePositions, type GlobalPosition } from "../../core/eventStore/eventStore.ts";
import { createSleeper } from "../eventStore/sleeper.ts";
import { eventsChannel } from "../eventStore/tables.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { prepareRequestLog, projectionCheckpoints } from "./prepareRequestLog.ts";
import { projectFromLog } from "./projectBatch.ts";
import { checkpointName, requestLogProjection } from "./projection.ts";
import { logStart } from "./rebuildRequestLog.ts";
import type { MalformedRecord } from "./unfoldRecords.ts";

export type RequestLogProjectorOptions = {
  sql: SqlClient;
  /** The projection's version; tests pass others to show a rebuild. */
  version?: number;
  /** Batch events per transaction. */
  batchSize?: number;
  /** A read, a write or the subscription failed; the same batch is tried again. */
  onError?(error: unknown): void;
  /** Records left out of the log because they cannot be read. */
  onMalformed?(records: MalformedRecord[]): void;
  /** A process with a newer version owns the table; this one stopped writing. */
  onSuperseded?(newerVersion: number): void;
  /** What the projector makes way for: the proxy of the same process. */
  yieldTo?: YieldTo;
};

/**
 * While `busy()` answers true (requests are arriving), the projector
 * projects one batch event at a time and rests between steps, so that it
 * takes at most `share` of the time: the proxy's answers come first and the
 * log catches up once the traffic ebbs, at full speed. A log that has been
 * behind for `maxLagMs` catches up at full speed whatever the traffic, so a
 * proxy busy for good still sees its log at most that far behind plus the
 * time to catch up; the proxy then shares the processor with it.
 */
export type YieldTo = { busy(): boolean; share?: number; maxLagMs?: number };

/*
 * Share of the time the projector takes while the proxy is busy. A tenth
 * keeps the log current under about 2,000 requests a second on the embedded
 * store (a record costs its thread ~47 µs) and 2,600 on Postgres (~38 µs);
 * busier traffic is caught up when it ebbs or once the log is 30 s behind.
 * A quarter, the earlier default, cost a saturated proxy about a tenth of
 * its throughput on two cores.
 */
const DEFAULT_SHARE = 0.1;
/** How often a rest looks again whether the proxy is still busy. */
const REST_SLICE_MS = 100;
/** How long the log may stay behind before it catches up regardless. */
const DEFAULT_MAX_LAG_MS = 30_000;

export type RequestLogProjector = {
  /** `rebuilt`: an older version's rows were dropped at start. */
  readonly started: { kind: "ready"; rebuilt: boolean } | { kind: "superseded" };
  /** True once a newer version has taken the table over. */
  superseded(): boolean;
  close(): Promise<void>;
};

/** How often the log is read when nothing signals new events (always on PGlite). */
const POLL_MS = 150;
/** Wait after a failed step before trying the same batch again. */
const RETRY_MS = 500;
/*
 * A batch event holds up to the recorder's 2,000 records: 32 of them keep
 * one transaction to tens of thousands of rows while a rebuild catches up.
 */
const DEFAULT_BATCH_EVENTS = 32;

/**
 * Keeps the request log current: prepares the table (resume, or rebuild
 * after a version change), then follows the request streams and writes each
 * batch's rows with the checkpoint in one transaction. The rows are unfolded
 * from the batch events inside the store (`projectFromLog`): the records are
 * never read into this process. Several processes may run one each against
 * a shared Postgres: when another moved the checkpoint first, this one
 * re-reads it and continues from there, so no event is skipped and none is
 * written twice (rows are keyed by request id).
 *
 * New events are noticed by NOTIFY where the store can listen (server
 * Postgres) and by polling every 150 ms in any case.
 *
 * @example
 * const projector = await startRequestLogProjector({ sql, onError: report });
 * // … later
 * await projector.close();
 */
export async function startRequestLogProjector(
  options: RequestLogProjectorOptions,
): Promise<RequestLogProjector> {
  const { sql } = options;
  const version = options.version ?? requestLogProjection.version;
  const batchEvents = options.batchSize ?? DEFAULT_BATCH_EVENTS;
  const name = checkpointName(version);

  const prepared = await prepareRequestLog(sql, version);
  if (prepared.kind === "superseded") {
    options.onSuperseded?.(prepared.newerVersion);
    return { started: { kind: "superseded" }, superseded: () => true, close: async () => {} };
  }

  /** The checkpoint as this projector last stored or read it. */
  let known: GlobalPosition | null = prepared.position;
  /** Where the next read starts: past `known` by events that hold no records. */
  let from: GlobalPosition = prepared.position;
  let supersededBy: number | null = null;
  let closed = false;
  // A rest that yields to the proxy is not cut short by a notification.
  const sleeper = createSleeper();
  /** Since when the projector has found more to do at every step; null when caught up. */
  let behindSince: number | null = null;
  const share = options.yieldTo?.share ?? DEFAULT_SHARE;
  const maxLagMs = options.yieldTo?.maxLagMs ?? DEFAULT_MAX_LAG_MS;

  const report = (error: unknown) => {
    // A failing error callback must not stop the projector.
    try {
      options.onError?.(error);
    } catch {}
  };

  /*
   * The checkpoint moved under us. Whoever moved it may have stopped short of
   * what this projector read (a reset goes back to the start), so reading
   * starts again at the stored checkpoint.
   */
  const followStored = async (): Promise<void> => {
    const found = await projectionCheckpoints(sql);
    const newer = found.find((checkpoint) => checkpoint.version > version);
    if (newer !== undefined) {
      supersededBy = newer.version;
      options.onSuperseded?.(newer.version);
      return;
    }
    known = found.find((checkpoint) => checkpoint.version === version)?.position ?? null;
    from = known ?? logStart;
  };

  /** One transaction's worth; answers whether more may be waiting. */
  const step = async (limit: number): Promise<boolean> => {
    const result = await projectFromLog(
      sql,
      name,
      known,
      from,
      limit,
      requestLogProjection.streamPrefix,
    );
    switch (result.kind) {
      case "idle":
        if (result.scanned !== null && comparePositions(result.scanned, from) > 0)
          from = result.scanned;
        return false;
      case "stored":
        known = from = result.position;
        if (result.malformed.length > 0) options.onMalformed?.(result.malformed);
        return true;
      case "moved":
        await followStored();
        return true;
    }
  };

  const yielding = () =>
    options.yieldTo !== undefined &&
    share < 1 &&
    options.yieldTo.busy() &&
    (behindSince === null || Date.now() - behindSince < maxLagMs);

  /*
   * A rest is taken in slices, each followed by another look: it ends as
   * soon as the traffic ebbs or the log has been behind for too long, so a
   * small share never leaves the log stalled once there is time for it.
   */
  const restWhileYielding = async (ms: number) => {
    const until = performance.now() + ms;
    for (let left = ms; !closed && left > 0 && yielding(); left = until - performance.now())
      await sleeper.sleep(Math.min(left, REST_SLICE_MS), false);
  };

  const listen = async (): Promise<(() => Promise<void>) | null> => {
    if (sql.listen === undefined) return null;
    try {
      return await sql.listen(eventsChannel, sleeper.wake);
    } catch (error) {
      report(error);
      return null;
    }
  };

  const run = async () => {
    const unlisten = await listen();
    while (!closed && supersededBy === null) {
      let wait = POLL_MS;
      let rest = false;
      try {
        const polite = yielding();
        const started = performance.now();
        if (await step(polite ? 1 : batchEvents)) {
          behindSince ??= Date.now();
          wait = polite ? ((performance.now() - started) * (1 - share)) / share : 0;
          rest = polite;
        } else behindSince = null;
      } catch (error) {
        report(error);
        wait = RETRY_MS;
      }
      if (rest) await restWhileYielding(wait);
      else if (!closed && wait > 0) await sleeper.sleep(wait, true);
    }
    await unlisten?.().catch(report);
  };

  const running = run();
  let closing: Promise<void> | null = null;

  return {
    started: { kind: "ready", rebuilt: prepared.rebuilt },
    superseded: () => supersededBy !== null,
    close: () => {
      closing ??= (async () => {
        closed = true;
        sleeper.end();
        await running;
      })();
      return closing;
    },
  };
}
