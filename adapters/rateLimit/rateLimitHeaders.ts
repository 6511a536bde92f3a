import type { RateLimitResult } from "./rateLimiter.ts";

/**
 * Response header fields for a rate-limited request, from its result.
 *
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` follow
 * draft-ietf-httpapi-ratelimit-headers-06
 * (https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-06):
 * the three separate fields, which clients already read, rather than the
 * later drafts' `RateLimit` / `RateLimit-Policy` structured form. Reset is
 * in seconds from now, rounded up. A denial adds `Retry-After` in seconds
 * (RFC 9110 §10.2.3, https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3),
 * at least 1: the window ends within the next second at the earliest, and 0
 * would invite an immediate retry that is refused again.
 *
 * @example
 * const result = await limiter.take(`proxy:${proxyId}`, 100, 60_000, now);
 * rateLimitHeaders(result, now);
 * // { "RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "17",
 * //   "Retry-After": "17" } when denied
 */
export function rateLimitHeaders(result: RateLimitResult, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((result.resetAt - now) / 1_000));

  const headers: Record<string, string> = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(Math.max(0, result.remaining)),
    "RateLimit-Reset": String(resetSeconds),
  };
  if (!result.allowed) headers["Retry-After"] = String(Math.max(1, resetSeconds));

  return headers;
}

/**
 * The one result to announce when several limits count the same request
 * (a rule's limit, the proxy's per-minute and per-day limits). A denial wins,
 * and among denials the one that resets last, because the request is refused
 * until every denying limit has reset; when all allow, the one with the
 * fewest requests left, which is the one a client must pace itself by.
 * Answers null for no results.
 *
 * @example
 * const results = [perMinute, perDay];
 * const shown = mostRestrictive(results);
 * if (shown !== null) Object.entries(rateLimitHeaders(shown, now)).forEach(([k, v]) => headers.set(k, v));
 */
export function mostRestrictive(results: readonly RateLimitResult[]): RateLimitResult | null {
  let shown: RateLimitResult | null = null;

  for (const result of results) {
    if (shown === null || ranksAbove(result, shown)) shown = result;
  }

  return shown;
}

const ranksAbove = (a: RateLimitResult, b: RateLimitResult): boolean => {
  if (a.allowed !== b.allowed) return !a.allowed;
  return a.allowed ? a.remaining < b.remaining : a.resetAt > b.resetAt;
};
