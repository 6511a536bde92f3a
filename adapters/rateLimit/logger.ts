type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** The part of a pino logger the rate limiter uses; a pino instance fits as it is. */
export type RateLimitLogger = { warn: LogFn; info: LogFn };

/** The `component` field of every line the rate limiter logs. */
export const rateLimitComponent = "rateLimit";
