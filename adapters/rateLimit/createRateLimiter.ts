import { createLocalRateLimiter, type LocalRateLimiterOptions } from "./localRateLimiter.ts";
import type { RateLimiter } from "./rateLimiter.ts";
import { createSharedRateLimiter, type SharedRateLimiterOptions } from "./sharedRateLimiter.ts";

export type RateLimiterOptions =
  ({ mode: "local" } & LocalRateLimiterOptions) | ({ mode: "shared" } & SharedRateLimiterOptions);

/**
 * The rate limiter for a deployment: `local` for one process (the embedded
 * store, where only one process may open the data folder anyway), `shared`
 * for proxy processes that share one server Postgres.
 *
 * @example
 * const limiter = createRateLimiter(
 *   sql.kind === "postgres" ? { mode: "shared", sql, logger } : { mode: "local" },
 * );
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  switch (options.mode) {
    case "local":
      return createLocalRateLimiter(options);
    case "shared":
      return createSharedRateLimiter(options);
    default: {
      const unknown: never = options;
      throw new Error(`unknown rate limiter mode: ${JSON.stringify(unknown)}`);
    }
  }
}
