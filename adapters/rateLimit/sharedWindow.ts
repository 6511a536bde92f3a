import type { RateLimitResult } from "./rateLimiter.ts";

/**
 * What one process knows about one key's current window when several
 * processes share the count through the database.
 */
export type SharedWindow = {
  key: string;
  windowMs: number;
  windowStart: number;
  windowEnd: number;
  limit: number;
  /** Leased from the database and not yet spent. */
  tokens: number;
  /** The window's total granted to every process, as of this process's latest lease. */
  windowGranted: number;
  /** The database granted less than asked: nothing is left in this window. */
  exhausted: boolean;
  /** Admitted while the database was out of reach, not yet counted there. */
  debt: number;
  /** Requests waiting for a lease, first come first served. */
  waiters: ((result: RateLimitResult) => void)[];
  leasing: boolean;
};

export const newSharedWindow = (
  key: string,
  windowMs: number,
  window: { start: number; end: number },
  limit: number,
): SharedWindow => ({
  key,
  windowMs,
  windowStart: window.start,
  windowEnd: window.end,
  limit,
  tokens: 0,
  windowGranted: 0,
  exhausted: false,
  debt: 0,
  waiters: [],
  leasing: false,
});

/**
 * A limit changed by configuration mid-window: ask the database again, and
 * keep no more leased requests than the new limit leaves.
 */
export function changeLimit(state: SharedWindow, limit: number): void {
  const spent = state.windowGranted - state.tokens;
  state.limit = limit;
  state.exhausted = false;
  state.tokens = Math.min(state.tokens, Math.max(0, limit - spent));
}

/*
 * Remaining is a lower bound: what no process has leased yet plus what this
 * one still holds. Other processes' unspent blocks are unknown here.
 */
const remainingOf = (state: SharedWindow): number =>
  Math.max(0, state.limit - state.windowGranted - state.debt) + state.tokens;

export function spendToken(state: SharedWindow): RateLimitResult {
  state.tokens -= 1;
  return {
    allowed: true,
    limit: state.limit,
    remaining: remainingOf(state),
    resetAt: state.windowEnd,
  };
}

export const deny = (state: SharedWindow): RateLimitResult => ({
  allowed: false,
  limit: state.limit,
  remaining: 0,
  resetAt: state.windowEnd,
});

/**
 * Without the database this process admits what the window had left when it
 * last heard, as if it were alone; the debt is added to the window's row by
 * the next lease that reaches the database.
 */
export function spendOnFallback(state: SharedWindow): RateLimitResult {
  if (state.windowGranted + state.debt >= state.limit) return deny(state);

  state.debt += 1;
  return {
    allowed: true,
    limit: state.limit,
    remaining: remainingOf(state),
    resetAt: state.windowEnd,
  };
}
