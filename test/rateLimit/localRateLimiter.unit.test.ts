import { describe, expect, it } from "vitest";
import { createLocalRateLimiter } from "../../adapters/rateLimit/localRateLimiter.ts";
import { rateLimitWindowMs } from "../../adapters/rateLimit/rateLimiter.ts";

const minute = rateLimitWindowMs.minute;
/** 10:30:15 UTC: the minute window runs from 10:30:00 to 10:31:00. */
const t0 = Date.UTC(2025, 0, 1, 10, 30, 15);
const windowEnd = Date.UTC(2025, 0, 1, 10, 31, 0);

const takeMany = (
  limiter: ReturnType<typeof createLocalRateLimiter>,
  count: number,
  key: string,
  limit: number,
  now: number,
) => Array.from({ length: count }, () => limiter.takeSync(key, limit, minute, now));

describe("local rate limiter", () => {
  it("allows exactly the limit in one window, counting down what remains", () => {
    const limiter = createLocalRateLimiter();

    const results = takeMany(limiter, 150, "proxy:p1", 100, t0);

    expect(results.filter((result) => result.allowed)).toHaveLength(100);
    expect(results.slice(0, 100).every((result) => result.allowed)).toBe(true);
    expect(results[0]).toEqual({ allowed: true, limit: 100, remaining: 99, resetAt: windowEnd });
    expect(results[99]).toEqual({ allowed: true, limit: 100, remaining: 0, resetAt: windowEnd });
    expect(results[100]).toEqual({ allowed: false, limit: 100, remaining: 0, resetAt: windowEnd });
  });

  it("starts again at the next window, aligned to the epoch minute", () => {
    const limiter = createLocalRateLimiter();
    takeMany(limiter, 100, "proxy:p1", 100, t0);

    expect(limiter.takeSync("proxy:p1", 100, minute, windowEnd - 1).allowed).toBe(false);
    const next = takeMany(limiter, 101, "proxy:p1", 100, windowEnd);

    expect(next.filter((result) => result.allowed)).toHaveLength(100);
    expect(next[0]?.resetAt).toBe(windowEnd + minute);
  });

  it("counts keys, and one key's window lengths, separately", async () => {
    const limiter = createLocalRateLimiter();
    takeMany(limiter, 3, "proxy:p1", 3, t0);

    expect(limiter.takeSync("proxy:p1", 3, minute, t0).allowed).toBe(false);
    expect(limiter.takeSync("proxy:p2", 3, minute, t0).allowed).toBe(true);
    expect(limiter.takeSync("proxy:p1", 3, rateLimitWindowMs.day, t0)).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAt: Date.UTC(2025, 0, 2),
    });
    expect((await limiter.take("proxy:p1", 3, minute, t0)).allowed).toBe(false);
  });

  it("drops ended windows, so memory follows the keys in use", () => {
    const limiter = createLocalRateLimiter({ sweepIntervalMs: minute });
    for (let i = 0; i < 1_000; i += 1) limiter.takeSync(`rule:r${i}`, 10, minute, t0);
    expect(limiter.size).toBe(1_000);

    limiter.takeSync("rule:r0", 10, minute, windowEnd + minute);

    expect(limiter.size).toBe(1);
  });

  it("denies everything for a limit of zero", () => {
    const limiter = createLocalRateLimiter();

    expect(limiter.takeSync("proxy:p1", 0, minute, t0)).toEqual({
      allowed: false,
      limit: 0,
      remaining: 0,
      resetAt: windowEnd,
    });
  });

  it("refuses arguments no configuration produces", async () => {
    const limiter = createLocalRateLimiter();

    expect(() => limiter.takeSync("k", 1.5, minute, t0)).toThrow(RangeError);
    expect(() => limiter.takeSync("k", 10, 0, t0)).toThrow(RangeError);
    await expect(limiter.take("k", -1, minute, t0)).rejects.toThrow(RangeError);
  });
});
