import { checkTakeArguments, counterId, windowAt } from "./fixedWindow.ts";
import type { RateLimiter, RateLimitResult } from "./rateLimiter.ts";
import { createWindowMap } from "./windowMap.ts";

export type LocalRateLimiterOptions = {
  /** How often ended windows are dropped, in ms of the callers' clock; 60 s by default. */
  sweepIntervalMs?: number;
};

/** The local limiter also answers synchronously, for callers that cannot await. */
export interface LocalRateLimiter extends RateLimiter {
  takeSync(key: string, limit: number, windowMs: number, now: number): RateLimitResult;
  /** Counters held now: keys with a window that has not yet been swept. */
  readonly size: number;
}

type Counter = { windowStart: number; windowEnd: number; count: number };

/**
 * A rate limiter for one process (the embedded store, or a single proxy
 * process): counters in memory, exact, no I/O. Several processes each
 * holding one would each allow the full limit; use `createSharedRateLimiter`
 * there.
 *
 * @example
 * const limiter = createLocalRateLimiter();
 * const result = limiter.takeSync(`proxy:${proxyId}`, 100, rateLimitWindowMs.minute, Date.now());
 * if (!result.allowed) return tooManyRequests(rateLimitHeaders(result, Date.now()));
 */
export function createLocalRateLimiter(options: LocalRateLimiterOptions = {}): LocalRateLimiter {
  const counters = createWindowMap<Counter>(options.sweepIntervalMs ?? 60_000);
  let closed = false;

  const takeSync = (key: string, limit: number, windowMs: number, now: number) => {
    checkTakeArguments(limit, windowMs, now);
    if (closed) throw new Error("the rate limiter is closed");
    counters.sweepIfDue(now);

    const id = counterId(key, windowMs);
    const window = windowAt(now, windowMs);
    let counter = counters.get(id);
    // A clock that steps back keeps counting in the newer window it has seen.
    if (counter === undefined || counter.windowStart < window.start) {
      counter = { windowStart: window.start, windowEnd: window.end, count: 0 };
      counters.set(id, counter);
    }

    if (counter.count >= limit) {
      return { allowed: false, limit, remaining: 0, resetAt: counter.windowEnd };
    }
    counter.count += 1;
    return { allowed: true, limit, remaining: limit - counter.count, resetAt: counter.windowEnd };
  };

  return {
    takeSync,
    take: async (key, limit, windowMs, now) => takeSync(key, limit, windowMs, now),
    close: async () => {
      closed = true;
    },
    get size() {
      return counters.size;
    },
  };
}
