import type { SubscribeOptions, Subscription } from "../../core/eventStore/eventStore.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { readAll } from "./readAll.ts";
import { createSleeper } from "./sleeper.ts";
import { eventsChannel } from "./tables.ts";

export type SubscribeTiming = {
  /** Poll interval where the store cannot listen for notifications (PGlite). */
  pollMs: number;
  /** Poll interval while listening: a safety net for a lost notification. */
  safetyPollMs: number;
  /**
   * Poll interval for a while after a notification whose events the fence
   * still holds back (an older transaction is in flight): no second
   * notification comes when that one ends.
   */
  fencedPollMs: number;
  /** Wait after a failed read or handler before trying the same batch again. */
  retryMs: number;
};

export const defaultSubscribeTiming: SubscribeTiming = {
  pollMs: 150,
  safetyPollMs: 1_000,
  fencedPollMs: 100,
  retryMs: 500,
};

/** How many fenced polls follow one notification: two seconds' worth. */
const fencedPollsPerNotification = 20;

export const defaultBatchSize = 500;

export type SubscriptionControl = Subscription & {
  /** New events may be there: read now instead of at the next poll. */
  wake(): void;
};

/**
 * Delivers the log after `options.after` to `options.handle`, batch by
 * batch in log order, awaiting each before reading the next. A failed read
 * or handler goes to `onError` and the same position is read again after
 * `retryMs`: delivery is at least once, so handlers store their position
 * (a checkpoint) with their writes. `close()` stops polling, waits for a batch
 * in flight and stops listening; nothing is left scheduled after it.
 */
export function subscribe(
  sql: SqlClient,
  options: SubscribeOptions,
  timing: SubscribeTiming = defaultSubscribeTiming,
): SubscriptionControl {
  const batchSize = options.batchSize ?? defaultBatchSize;
  let position = options.after;
  let closed = false;
  let signalled = false;
  let fencedPolls = 0;
  const sleeper = createSleeper();

  const report = (error: unknown) => {
    // A failing error callback must not stop delivery.
    try {
      options.onError?.(error);
    } catch {}
  };

  const wake = () => {
    signalled = true;
    fencedPolls = fencedPollsPerNotification;
    sleeper.wake();
  };

  const listen = async (): Promise<(() => Promise<void>) | null> => {
    if (sql.listen === undefined) return null;
    try {
      return await sql.listen(eventsChannel, wake);
    } catch (error) {
      report(error);
      return null;
    }
  };

  /** Reads and delivers one batch; answers how long to wait before the next. */
  const step = async (idleMs: number): Promise<{ ms: number; wakeable: boolean }> => {
    signalled = false;
    try {
      const page = await readAll(sql, position, batchSize, options.filter);
      if (closed) return idle(idleMs);
      if (page.events.length === 0) {
        // A filtered read may move past events it left out.
        position = page.position;
        return idle(idleMs);
      }

      await options.handle(page.events);
      position = page.position;
      return { ms: 0, wakeable: true };
    } catch (error) {
      report(error);
      return { ms: timing.retryMs, wakeable: false };
    }
  };

  const idle = (idleMs: number) => {
    if (signalled) return { ms: 0, wakeable: true };
    if (fencedPolls > 0) {
      fencedPolls -= 1;
      return { ms: Math.min(timing.fencedPollMs, idleMs), wakeable: true };
    }
    return { ms: idleMs, wakeable: true };
  };

  const run = async () => {
    const unlisten = await listen();
    const idleMs = unlisten === null ? timing.pollMs : timing.safetyPollMs;

    while (!closed) {
      const next = await step(idleMs);
      if (!closed && next.ms > 0) await sleeper.sleep(next.ms, next.wakeable);
    }

    await unlisten?.().catch(report);
  };

  const running = run();
  let closing: Promise<void> | null = null;

  return {
    wake,
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
