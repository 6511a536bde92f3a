/**
 * Table and column names of the shared rate limiter, in one place. The DDL
 * is `adapters/sql/migrations/003_rate_limits.sql`.
 */
export const rateLimitWindows = {
  table: "ferry_rate_limit_windows",
  key: "limit_key",
  windowMs: "window_ms",
  windowStart: "window_start",
  windowEnd: "window_end",
  granted: "granted",
  lastGrant: "last_grant",
} as const;
