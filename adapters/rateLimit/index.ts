/**
 * Rate limits (spec §2 Rule `rateLimit`, §4 step 4): fixed windows counted in
 * one process (`local`) or across processes through Postgres (`shared`), and
 * the response header fields that announce them.
 */
export { createRateLimiter, type RateLimiterOptions } from "./createRateLimiter.ts";
export { windowAt, type FixedWindow } from "./fixedWindow.ts";
export {
  createLocalRateLimiter,
  type LocalRateLimiter,
  type LocalRateLimiterOptions,
} from "./localRateLimiter.ts";
export type { RateLimitLogger } from "./logger.ts";
export { mostRestrictive, rateLimitHeaders } from "./rateLimitHeaders.ts";
export {
  rateLimitWindowMs,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitWindow,
} from "./rateLimiter.ts";
export {
  createSharedRateLimiter,
  type SharedRateLimiter,
  type SharedRateLimiterOptions,
} from "./sharedRateLimiter.ts";
