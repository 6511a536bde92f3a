/** One fixed window: `[start, end)` in epoch milliseconds. */
export type FixedWindow = { start: number; end: number };

/**
 * The window of length `windowMs` that holds `now`, aligned to the epoch, so
 * that every process computes the same window for the same instant.
 *
 * @example
 * windowAt(Date.UTC(2025, 0, 1, 10, 30, 15), 60_000); // 10:30:00 to 10:31:00
 */
export function windowAt(now: number, windowMs: number): FixedWindow {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/** Throws for arguments no configuration can produce; see `RateLimiter.take`. */
export function checkTakeArguments(limit: number, windowMs: number, now: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`rate limit must be a non-negative safe integer, got ${limit}`);
  }
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`rate limit window must be a positive number of ms, got ${windowMs}`);
  }
  if (!Number.isFinite(now)) {
    throw new RangeError(`rate limit clock reading must be finite, got ${now}`);
  }
}

/** The map key of one counter: a key with two window lengths is two counters. */
export const counterId = (key: string, windowMs: number): string => `${windowMs} ${key}`;
