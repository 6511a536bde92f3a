import type { SqlClient } from "../sql/sqlClient.ts";
import { checkTakeArguments, counterId, windowAt } from "./fixedWindow.ts";
import { leaseQuota } from "./leaseQuota.ts";
import { rateLimitComponent, type RateLimitLogger } from "./logger.ts";
import { createOutage } from "./outage.ts";
import type { RateLimiter, RateLimitResult } from "./rateLimiter.ts";
import {
  changeLimit,
  deny,
  newSharedWindow,
  spendOnFallback,
  spendToken,
  type SharedWindow,
} from "./sharedWindow.ts";
import { sweepWindows } from "./sweepWindows.ts";
import { createWindowMap } from "./windowMap.ts";
import { withTimeout } from "./withTimeout.ts";

export type SharedRateLimiterOptions = {
  /** Server Postgres (or PGlite) on which `migrate` has run. */
  sql: SqlClient;
  logger: RateLimitLogger;
  /** A window's quota is leased in blocks of about `limit / blocksPerWindow`; 50 by default. */
  blocksPerWindow?: number;
  /** The largest block, whatever the limit; 100 by default. */
  maxBlock?: number;
  /** A lease slower than this counts as a failure; 1 s by default. */
  leaseTimeoutMs?: number;
  /** After a failed lease, how long each process counts alone before asking again; 5 s. */
  retryAfterFailureMs?: number;
  /** How often the rows of ended windows are deleted; 60 s by default, 0 for never. */
  sweepIntervalMs?: number;
  /** How long a row outlives its window, for processes whose clocks lag; 60 s. */
  sweepMarginMs?: number;
  /** The clock of the sweep timer; `take` has its own `now`. */
  clock?: () => number;
};

export interface SharedRateLimiter extends RateLimiter {
  /** Deletes the rows of windows that ended before `now` less the margin; answers how many. */
  sweep(now: number): Promise<number>;
}

/**
 * A rate limiter shared by several processes through one Postgres, without
 * a database round trip per request. Each process leases blocks of a
 * window's quota (one upsert on the window's row, which grants at most what
 * the limit has left) and spends them in memory. Together the processes
 * never admit more than the limit; blocks still unspent when a window ends
 * are lost, so they admit at most `processes × block` less. Requests wait on
 * the database only when their process has no leased request left, and the
 * requests of one process that wait together share one lease. A key without
 * traffic costs nothing: no row, no query.
 *
 * When the database is out of reach (an error, or no answer within
 * `leaseTimeoutMs`) the limiter neither fails closed, which would turn a
 * database outage into 429s for every limited proxy although the proxy
 * itself needs no database to forward, nor fully open: each process counts
 * alone what the window had left when it last heard, so the processes
 * together admit at most one limit each, and what they admitted is added to
 * the window's row once the database answers again. The outage is logged at
 * `warn` when it starts and at `info` when it ends.
 *
 * @example
 * const limiter = createSharedRateLimiter({ sql, logger });
 * const result = await limiter.take(`proxy:${proxyId}`, 100, rateLimitWindowMs.minute, now);
 */
export function createSharedRateLimiter(options: SharedRateLimiterOptions): SharedRateLimiter {
  const { sql, logger } = options;
  const blocksPerWindow = options.blocksPerWindow ?? 50;
  const maxBlock = options.maxBlock ?? 100;
  const leaseTimeoutMs = options.leaseTimeoutMs ?? 1_000;
  const sweepMarginMs = options.sweepMarginMs ?? 60_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const clock = options.clock ?? Date.now;

  const windows = createWindowMap<SharedWindow>(60_000);
  const outage = createOutage(logger, options.retryAfterFailureMs ?? 5_000);
  const inFlight = new Set<Promise<unknown>>();
  let leasedSinceSweep = false;
  let closed = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const blockFor = (limit: number) =>
    Math.min(maxBlock, Math.max(1, Math.ceil(limit / blocksPerWindow)));

  const windowFor = (key: string, limit: number, windowMs: number, now: number) => {
    const id = counterId(key, windowMs);
    const window = windowAt(now, windowMs);
    let state = windows.get(id);
    // A clock that steps back keeps counting in the newer window it has seen.
    if (state === undefined || state.windowStart < window.start) {
      state = newSharedWindow(key, windowMs, window, limit);
      windows.set(id, state);
    }
    if (state.limit !== limit) changeLimit(state, limit);
    return state;
  };

  /*
   * One lease at a time per window and process. Every request that arrived
   * while a lease was out is served from its answer, or by the next lease,
   * which asks for at least as many as are waiting: those are spent at once,
   * so asking for them over-reserves nothing.
   */
  const leaseFor = async (state: SharedWindow, now: number): Promise<void> => {
    state.leasing = true;

    while (state.waiters.length > 0) {
      if (state.exhausted) {
        state.waiters.splice(0).forEach((resolve) => resolve(deny(state)));
        break;
      }

      const want = Math.min(state.limit, Math.max(blockFor(state.limit), state.waiters.length));
      const debt = state.debt;
      try {
        const lease = await withTimeout(
          leaseQuota(sql, {
            key: state.key,
            windowMs: state.windowMs,
            windowStart: state.windowStart,
            windowEnd: state.windowEnd,
            limit: state.limit,
            want,
            debt,
          }),
          leaseTimeoutMs,
          "rate limit lease",
        );
        outage.succeeded(now);
        leasedSinceSweep = true;
        state.debt -= debt;
        state.windowGranted = lease.windowGranted;
        state.tokens += lease.granted;
        if (lease.granted < want) state.exhausted = true;
      } catch (error) {
        outage.failed(error, now);
        state.waiters.splice(0).forEach((resolve) => resolve(spendOnFallback(state)));
        break;
      }

      const served = state.waiters.splice(0, Math.min(state.tokens, state.waiters.length));
      served.forEach((resolve) => resolve(spendToken(state)));
    }

    state.leasing = false;
  };

  const take = async (
    key: string,
    limit: number,
    windowMs: number,
    now: number,
  ): Promise<RateLimitResult> => {
    checkTakeArguments(limit, windowMs, now);
    if (closed) throw new Error("the rate limiter is closed");
    windows.sweepIfDue(now, (state) => !state.leasing);

    const state = windowFor(key, limit, windowMs, now);
    if (state.tokens > 0) return spendToken(state);
    if (state.exhausted || limit === 0) return deny(state);
    if (outage.isOut(now)) return spendOnFallback(state);

    return new Promise<RateLimitResult>((resolve) => {
      state.waiters.push(resolve);
      if (!state.leasing) void track(leaseFor(state, now));
    });
  };

  const sweep = (now: number) => track(sweepWindows(sql, now - sweepMarginMs));

  // Only a process that leased sweeps: one no request uses never queries.
  const sweepOnTimer = async () => {
    if (!leasedSinceSweep || closed) return;
    leasedSinceSweep = false;
    try {
      await sweep(clock());
    } catch (error) {
      logger.warn({ component: rateLimitComponent, err: error }, "rate limit sweep failed");
    }
  };
  const timer =
    sweepIntervalMs > 0 ? setInterval(() => void sweepOnTimer(), sweepIntervalMs) : null;
  // The timer alone must not keep a process alive.
  (timer as { unref?: () => void } | null)?.unref?.();

  return {
    take,
    sweep,
    close: async () => {
      closed = true;
      if (timer !== null) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
