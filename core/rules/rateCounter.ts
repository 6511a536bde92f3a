import type { Exceeded, ScopeMatch } from "./evaluate.ts";
import { secondsUntilEnd, windowBounds } from "./rateWindow.ts";

export type RateCounter = {
  /**
   * Counts this request toward every rate-limited rule whose other
   * conditions it meets, and answers the rules now over their limit.
   */
  count(matches: readonly ScopeMatch[], nowMs: number): Exceeded;
};

/** Windows that ended are swept once this many rules are tracked. */
const SWEEP_AT = 10_000;

/**
 * Fixed-window counts per rule id, held in memory: each proxy process
 * counts the requests it serves, so with several proxy copies a limit
 * applies per copy. A rule whose limit or window changes keeps its id, and
 * the new limit applies at once to the current count.
 */
export function createRateCounter(): RateCounter {
  const windows = new Map<string, { start: number; end: number; hits: number }>();

  const sweep = (nowMs: number) => {
    for (const [ruleId, window] of windows) if (window.end <= nowMs) windows.delete(ruleId);
  };

  return {
    count(matches, nowMs) {
      const exceeded = new Map<string, number>();
      const seen = new Set<string>();
      for (const { counted } of matches) {
        for (const rule of counted) {
          if (rule.rateLimit === null || seen.has(rule.ruleId)) continue;
          seen.add(rule.ruleId);
          const bounds = windowBounds(rule.rateLimit.window, nowMs);
          let window = windows.get(rule.ruleId);
          if (window === undefined || window.start !== bounds.start || window.end !== bounds.end) {
            window = { ...bounds, hits: 0 };
            windows.set(rule.ruleId, window);
          }
          window.hits++;
          if (window.hits > rule.rateLimit.limit) {
            exceeded.set(rule.ruleId, secondsUntilEnd(rule.rateLimit.window, nowMs));
          }
        }
      }
      if (windows.size > SWEEP_AT) sweep(nowMs);
      return exceeded;
    },
  };
}
