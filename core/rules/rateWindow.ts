import type { RateWindow } from "./rule.ts";

const WINDOW_MS: Record<RateWindow, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export type WindowBounds = { start: number; end: number };

/**
 * The fixed window holding `nowMs` (epoch milliseconds). Windows are aligned
 * to the epoch, which is UTC midnight, so an `hour` starts on the hour and a
 * `day` at 00:00 UTC.
 */
export function windowBounds(window: RateWindow, nowMs: number): WindowBounds {
  const size = WINDOW_MS[window];
  const start = nowMs - (nowMs % size);
  return { start, end: start + size };
}

/** Whole seconds until the window holding `nowMs` ends, at least 1 (a `Retry-After` value). */
export function secondsUntilEnd(window: RateWindow, nowMs: number): number {
  return Math.max(1, Math.ceil((windowBounds(window, nowMs).end - nowMs) / 1000));
}
