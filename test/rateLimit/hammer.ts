import type { RateLimiter } from "../../adapters/rateLimit/rateLimiter.ts";

export type HammerOptions = {
  key: string;
  limit: number;
  windowMs: number;
  /** One instant for every take, so that every take falls in the same window. */
  now: number;
  attempts: number;
  /** Takes in flight at once, as concurrent requests would be. */
  concurrency: number;
};

/** Takes `attempts` times through `concurrency` workers; answers how many were allowed. */
export async function hammer(limiter: RateLimiter, options: HammerOptions): Promise<number> {
  let started = 0;
  let allowed = 0;

  const worker = async () => {
    while (started < options.attempts) {
      started += 1;
      const result = await limiter.take(options.key, options.limit, options.windowMs, options.now);
      if (result.allowed) allowed += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  return allowed;
}
