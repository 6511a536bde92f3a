import { rateLimitComponent, type RateLimitLogger } from "./logger.ts";

/**
 * Whether the database is treated as out of reach, and for how long. After a
 * failed lease the limiter stops asking for `retryAfterMs` (on the callers'
 * clock), so that an outage costs one timeout now and then rather than one
 * per request. It logs once when an outage starts and once when it ends,
 * never per request.
 */
export type Outage = {
  isOut(now: number): boolean;
  failed(error: unknown, now: number): void;
  succeeded(now: number): void;
};

export function createOutage(logger: RateLimitLogger, retryAfterMs: number): Outage {
  let retryAt = -Infinity;
  let since: number | null = null;
  let failedLeases = 0;

  return {
    isOut: (now) => now < retryAt,
    failed: (error, now) => {
      retryAt = now + retryAfterMs;
      failedLeases += 1;
      if (since !== null) return;

      since = now;
      logger.warn(
        { component: rateLimitComponent, err: error, retryAfterMs },
        "rate limits cannot reach the database; each process now counts alone, " +
          "so the processes together may admit up to one limit each until it is back",
      );
    },
    succeeded: (now) => {
      retryAt = -Infinity;
      if (since === null) return;

      logger.info(
        { component: rateLimitComponent, outageMs: now - since, failedLeases },
        "rate limits reach the database again; requests admitted meanwhile are counted",
      );
      since = null;
      failedLeases = 0;
    },
  };
}
