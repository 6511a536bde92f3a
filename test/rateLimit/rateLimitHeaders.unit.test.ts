import { describe, expect, it } from "vitest";
import { mostRestrictive, rateLimitHeaders } from "../../adapters/rateLimit/rateLimitHeaders.ts";

const now = Date.UTC(2025, 0, 1, 10, 30, 15, 250);
const resetAt = Date.UTC(2025, 0, 1, 10, 31, 0);

describe("rateLimitHeaders", () => {
  it("announces limit, remaining and reset seconds (rounded up) on a success", () => {
    expect(rateLimitHeaders({ allowed: true, limit: 100, remaining: 42, resetAt }, now)).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "42",
      "RateLimit-Reset": "45",
    });
  });

  it("adds Retry-After in whole seconds on a denial", () => {
    expect(rateLimitHeaders({ allowed: false, limit: 100, remaining: 0, resetAt }, now)).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "45",
      "Retry-After": "45",
    });
  });

  it("never tells a denied caller to retry at once", () => {
    const headers = rateLimitHeaders(
      { allowed: false, limit: 5, remaining: 0, resetAt: now + 1 },
      now + 1,
    );

    expect(headers["Retry-After"]).toBe("1");
    expect(headers["RateLimit-Reset"]).toBe("0");
  });
});

describe("mostRestrictive", () => {
  const perMinute = { allowed: true, limit: 100, remaining: 3, resetAt };
  const perDay = { allowed: true, limit: 10_000, remaining: 9_000, resetAt: resetAt + 3_600_000 };

  it("shows the limit with the fewest requests left when all allow", () => {
    expect(mostRestrictive([perDay, perMinute])).toBe(perMinute);
  });

  it("shows a denial, the one that resets last among several", () => {
    const minuteDenied = { ...perMinute, allowed: false, remaining: 0 };
    const dayDenied = { ...perDay, allowed: false, remaining: 0 };

    expect(mostRestrictive([perMinute, minuteDenied])).toBe(minuteDenied);
    expect(mostRestrictive([minuteDenied, dayDenied, perMinute])).toBe(dayDenied);
  });

  it("answers null for no limits", () => {
    expect(mostRestrictive([])).toBeNull();
  });
});
