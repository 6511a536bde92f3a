import { describe, expect, it } from "vitest";
import {
  backoffMs,
  defaultRetryPolicy,
  isRetryable,
  planRetry,
  resolveRetryPolicy,
  retryAfterMs,
  retryPolicySchema,
} from "./retryPolicy.ts";

const policy = { maxRetries: 3, windowMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 5_000 };
const at = (random: number) => () => random;

describe("which outcomes are retried", () => {
  it("retries connection errors, timeouts, lost leases, 408, 429 and 5xx", () => {
    for (const error of ["connection", "timeout", "lease_expired"] as const)
      expect(isRetryable({ kind: "error", error })).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504, 599])
      expect(isRetryable({ kind: "response", status, retryAfter: null })).toBe(true);
  });

  it("completes on every other status", () => {
    for (const status of [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 422, 499])
      expect(isRetryable({ kind: "response", status, retryAfter: null })).toBe(false);
  });
});

describe("backoff with full jitter", () => {
  it("draws each wait from zero up to a ceiling that doubles, capped", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, at(0.999999)))).toEqual([
      999, 1999, 3999, 4999, 4999,
    ]);
    expect(backoffMs(policy, 4, at(0))).toBe(0);
    expect(backoffMs(policy, 2, at(0.5))).toBe(1000);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-12-03T10:00:00Z");
  it("reads delay-seconds and HTTP dates", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Thu, 03 Dec 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Thu, 03 Dec 2026 09:00:00 GMT", now)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs("-5", now)).toBeNull();
  });
});

describe("planning the next attempt", () => {
  const base = { windowStartedAtMs: 0, nowMs: 10_000, retryAfterMs: null, random: at(0.5) };

  it("retries until maxRetries retries are spent", () => {
    expect(planRetry(policy, { ...base, attemptsInWindow: 1 })).toEqual({
      kind: "retry",
      atMs: 10_500,
    });
    expect(planRetry(policy, { ...base, attemptsInWindow: 3 }).kind).toBe("retry");
    expect(planRetry(policy, { ...base, attemptsInWindow: 4 })).toEqual({
      kind: "give_up",
      reason: "retries_exhausted",
    });
  });

  it("honours Retry-After as the least wait", () => {
    expect(planRetry(policy, { ...base, attemptsInWindow: 1, retryAfterMs: 7_000 })).toEqual({
      kind: "retry",
      atMs: 17_000,
    });
  });

  it("gives up when the wait would end past the window", () => {
    expect(
      planRetry(policy, { ...base, nowMs: 59_000, attemptsInWindow: 1, retryAfterMs: 2_000 }),
    ).toEqual({ kind: "give_up", reason: "window_exhausted" });
  });

  it("retries a lost lease at once", () => {
    expect(planRetry(policy, { ...base, attemptsInWindow: 1, immediate: true })).toEqual({
      kind: "retry",
      atMs: 10_000,
    });
  });

  it("has the spec's defaults: 10 retries within 15 minutes", () => {
    expect(defaultRetryPolicy).toMatchObject({ maxRetries: 10, windowMs: 900_000 });
  });
});

describe("per-target settings", () => {
  it("override only the constants they name", () => {
    expect(resolveRetryPolicy({ maxRetries: 2 })).toEqual({ ...defaultRetryPolicy, maxRetries: 2 });
    expect(resolveRetryPolicy(null)).toEqual(defaultRetryPolicy);
  });

  it("refuse unknown fields and out-of-range values", () => {
    expect(retryPolicySchema.safeParse({ maxRetries: 101 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({ baseDelayMs: 0 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({ retries: 3 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({ windowMs: 1.5 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({}).success).toBe(true);
  });

  it("refuse a base delay above the delay cap, naming the cap", () => {
    const refused = retryPolicySchema.safeParse({ baseDelayMs: 5000, maxDelayMs: 10 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["maxDelayMs", "must be at least baseDelayMs"],
    ]);
    expect(retryPolicySchema.safeParse({ baseDelayMs: 10, maxDelayMs: 10 }).success).toBe(true);
  });
});
