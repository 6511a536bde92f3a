/**
 * Request records leave the hot path here: `record` only pushes to a buffer,
 * and a timer appends the buffer in one transaction: one batch event per
 * proxy, on that proxy's request stream (the store compresses large ones). A
 * crash loses at most one interval of synchronous request records (spec §6);
 * `stop` flushes what is pending.
 */
import { streams, type RequestRecord } from "../../core/domain/events.ts";
import { expectAny, type EventStore } from "../../core/eventStore/eventStore.ts";
import type { Logger } from "./logger.ts";

export type RequestRecorder = {
  record(record: RequestRecord): void;
  /** Whether records are pending or were written within an interval: the proxy has traffic. */
  busy(): boolean;
  flush(): Promise<void>;
  stop(): Promise<void>;
};

export const startRequestRecorder = (deps: {
  store: EventStore;
  logger: Logger;
  intervalMs?: number;
  maxBatch?: number;
  /** Records kept in memory at most while the store is unavailable. */
  maxPending?: number;
}): RequestRecorder => {
  const { store, logger, intervalMs = 500, maxBatch = 2000, maxPending = 100_000 } = deps;
  let pending: RequestRecord[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let dropped = 0;
  /** When the last batch with records was taken to be written. */
  let lastBatchAt = Number.NEGATIVE_INFINITY;

  const writeBatch = async (batch: RequestRecord[]) => {
    const byProxy = new Map<string, RequestRecord[]>();
    for (const record of batch) {
      const list = byProxy.get(record.proxyId) ?? [];
      list.push(record);
      byProxy.set(record.proxyId, list);
    }
    await store.appendMany(
      [...byProxy].map(([proxyId, records]) => ({
        streamId: streams.requests(proxyId),
        events: [
          {
            type: "ProxyRequestsRecorded",
            data: { proxyId, clientId: records[0]!.clientId, records },
          },
        ],
        expected: expectAny,
      })),
    );
  };

  /*
   * A flush writes what is pending when it starts, and no more: records that
   * arrive while it writes wait for the next interval. Chasing them instead
   * turned a busy proxy's recording into one small transaction per round
   * trip, each costing the store as much as a large one.
   */
  const flush = (): Promise<void> => {
    const run = async () => {
      let due = pending.length;
      while (due > 0) {
        const batch = pending.slice(0, Math.min(due, maxBatch));
        lastBatchAt = Date.now();
        try {
          await writeBatch(batch);
          pending = pending.slice(batch.length);
          due -= batch.length;
        } catch (error) {
          logger.error(
            {
              err: error instanceof Error ? error.message : String(error),
              pending: pending.length,
            },
            "request records could not be written; will retry",
          );
          return;
        }
      }
    };
    flushing = flushing.then(run, run);
    return flushing;
  };

  /** A flush for a full batch is queued; more records do not queue another. */
  let fullBatchQueued = false;
  const flushFullBatch = () => {
    if (fullBatchQueued) return;
    fullBatchQueued = true;
    void flush().finally(() => (fullBatchQueued = false));
  };

  const timer = setInterval(() => void flush(), intervalMs);

  return {
    record(record) {
      if (pending.length >= maxPending) {
        dropped += 1;
        if (dropped % 1000 === 1) logger.error({ dropped }, "request record buffer full; dropping");
        return;
      }
      pending.push(record);
      if (pending.length >= maxBatch) flushFullBatch();
    },
    // Read from the buffer, so that the hot path does not keep a clock.
    busy: () => pending.length > 0 || Date.now() - lastBatchAt < intervalMs,
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};
