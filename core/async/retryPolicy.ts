/**
 * The retry policy of queued delivery (spec §5), in one place: which
 * outcomes are retried, how long to wait before the next attempt, and when
 * to give up. Targets may override any constant (`retryPolicy`); tests run
 * the same code with short intervals.
 */
import * as z from "zod";
import { wholeNumber } from "../domain/fields.ts";

export type RetryPolicy = {
  /** Retries after the first attempt; the request fails once they are spent. */
  maxRetries: number;
  /** Every attempt starts within this long of acceptance (or of a replay). */
  windowMs: number;
  /** The first retry waits up to this long; each later one up to twice the one before. */
  baseDelayMs: number;
  /** No single wait is drawn from a range wider than this. */
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 10,
  windowMs: 15 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

const DAY_MS = 24 * 60 * 60_000;
/** The longest window or delay a policy may set, here or in the environment. */
export const MAX_RETRY_MS = DAY_MS;
/** The most retries a policy may set. */
export const MAX_RETRIES = 100;

/**
 * Whether the delays are in order: a base above the cap would make every
 * wait the cap, surely not what was meant. Unset delays are not compared.
 */
export const delaysInOrder = (policy: { baseDelayMs?: number; maxDelayMs?: number }): boolean =>
  policy.baseDelayMs === undefined ||
  policy.maxDelayMs === undefined ||
  policy.baseDelayMs <= policy.maxDelayMs;

/** A target's overrides; absent fields keep the default. */
export const retryPolicySchema = z
  .strictObject(
    {
      maxRetries: wholeNumber(0, MAX_RETRIES).optional(),
      windowMs: wholeNumber(1, MAX_RETRY_MS).optional(),
      baseDelayMs: wholeNumber(1, MAX_RETRY_MS).optional(),
      maxDelayMs: wholeNumber(1, MAX_RETRY_MS).optional(),
    },
    { error: "must be an object of maxRetries, windowMs, baseDelayMs and maxDelayMs" },
  )
  .refine(delaysInOrder, { error: "must be at least baseDelayMs", path: ["maxDelayMs"] })
  .nullable();

export type RetryPolicySettings = z.infer<typeof retryPolicySchema>;

/** The policy a target's settings make, over the defaults. */
export const resolveRetryPolicy = (
  settings: RetryPolicySettings | undefined,
  defaults: RetryPolicy = defaultRetryPolicy,
): RetryPolicy => {
  const policy = { ...defaults };
  for (const [key, value] of Object.entries(settings ?? {}))
    if (value !== undefined) policy[key as keyof RetryPolicy] = value;
  return policy;
};

/** What an attempt came to, as far as retrying is concerned. */
export type AttemptResult =
  | { kind: "response"; status: number; retryAfter: string | null }
  | { kind: "error"; error: "connection" | "timeout" | "lease_expired" };

/** Connection errors, timeouts, 408, 429 and 5xx are retried; any other answer completes. */
export const isRetryable = (result: AttemptResult): boolean =>
  result.kind === "error" || result.status === 408 || result.status === 429 || result.status >= 500;

/**
 * Exponential backoff with full jitter: the wait before retry `n` (1-based)
 * is drawn uniformly from [0, min(maxDelay, baseDelay · 2^(n-1))), so that
 * requests that failed together do not come back together.
 */
export const backoffMs = (policy: RetryPolicy, retry: number, random: () => number): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
};

/**
 * `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Null when absent or unreadable; never negative.
 */
export const retryAfterMs = (value: string | null, nowMs: number): number | null => {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; bare numbers and signs are not dates.
  if (!/^[A-Za-z]{3}, /.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
};

export type RetryPlan =
  | { kind: "retry"; atMs: number }
  | { kind: "give_up"; reason: "retries_exhausted" | "window_exhausted" };

/**
 * When to try again after a retryable attempt, or that it is time to stop.
 * `attemptsInWindow` counts the attempt that just ended. A `Retry-After`
 * is honoured as a lower bound on the wait; a wait that would end past the
 * window gives up instead.
 */
export const planRetry = (
  policy: RetryPolicy,
  input: {
    attemptsInWindow: number;
    windowStartedAtMs: number;
    nowMs: number;
    retryAfterMs: number | null;
    /** Lease takeovers retry at once: the attempt is already late. */
    immediate?: boolean;
    random: () => number;
  },
): RetryPlan => {
  const retry = input.attemptsInWindow;
  if (retry > policy.maxRetries) return { kind: "give_up", reason: "retries_exhausted" };
  const jittered = input.immediate ? 0 : backoffMs(policy, retry, input.random);
  const wait = Math.max(jittered, input.retryAfterMs ?? 0);
  const atMs = input.nowMs + wait;
  if (atMs > input.windowStartedAtMs + policy.windowMs)
    return { kind: "give_up", reason: "window_exhausted" };
  return { kind: "retry", atMs };
};
