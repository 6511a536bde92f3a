/**
 * The rate limiter port: rule `rateLimit` (spec §2) and the proxy's own
 * `maxRequestsPerMinute` / `maxRequestsPerDay` (spec §4 step 4) both count
 * through it. Two implementations share it: `createLocalRateLimiter` (one
 * process, the embedded store) and `createSharedRateLimiter` (several
 * processes against one server Postgres).
 *
 * Windows are fixed and aligned to the epoch: a minute window runs from
 * hh:mm:00.000 to the next minute, a day window from UTC midnight to the
 * next. A fixed window is cheap to count and to share (one counter per key
 * and window), and its reset time is the same for every caller, which is
 * what `RateLimit-Reset` and `Retry-After` announce. The known price: a
 * caller can spend a full limit at the end of one window and another at the
 * start of the next, so a short burst may reach twice the limit.
 */

/** What one `take` answers. */
export type RateLimitResult = {
  /** Whether this request fits the limit; a denied request is not counted. */
  allowed: boolean;
  limit: number;
  /** Requests still allowed in this window after this one (an estimate when shared). */
  remaining: number;
  /** Epoch milliseconds at which the current window ends and the count restarts. */
  resetAt: number;
};

export interface RateLimiter {
  /**
   * Counts one request against `limit` requests per `windowMs` for `key`, in
   * the window that holds `now` (epoch milliseconds). Keys are the caller's
   * to namespace (`rule:{ruleId}`, `proxy:{proxyId}`); one key with two
   * window lengths is two separate counters.
   *
   * @throws RangeError when `limit` is not a non-negative safe integer or
   *   `windowMs` not a positive one: a caller bug, not a denial.
   */
  take(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult>;
  /** Stops background work and waits for requests in flight; the limiter is unusable after. */
  close(): Promise<void>;
}

/** The window lengths of spec §2 (`rateLimit.window`), in milliseconds. */
export const rateLimitWindowMs = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
} as const;

export type RateLimitWindow = keyof typeof rateLimitWindowMs;
