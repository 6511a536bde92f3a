/**
 * The shared limiter's SQL and bookkeeping, on PGlite: the lease statement,
 * blocks, shared leases for waiting requests, sweeping, the outage fallback.
 * Processes that really run at once are in `acrossProcesses.int.test.ts`.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { leaseQuota } from "../../adapters/rateLimit/leaseQuota.ts";
import { rateLimitWindowMs } from "../../adapters/rateLimit/rateLimiter.ts";
import {
  createSharedRateLimiter,
  type SharedRateLimiterOptions,
} from "../../adapters/rateLimit/sharedRateLimiter.ts";
import { rateLimitWindows } from "../../adapters/rateLimit/tables.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { hammer } from "./hammer.ts";
import { observedSql, recordingLogger, type ObservedSql } from "./observedSql.ts";

const minute = rateLimitWindowMs.minute;
const t0 = Date.UTC(2025, 0, 1, 10, 30, 15);
const windowStart = Date.UTC(2025, 0, 1, 10, 30);
const windowEnd = windowStart + minute;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sql: SqlClient;
let observed: ObservedSql;
let logger: ReturnType<typeof recordingLogger>;
const opened: { close(): Promise<void> }[] = [];

const limiterOn = (options: Partial<SharedRateLimiterOptions> = {}) => {
  const limiter = createSharedRateLimiter({
    sql: observed.sql,
    logger,
    sweepIntervalMs: 0,
    ...options,
  });
  opened.push(limiter);
  return limiter;
};

const leases = () => observed.queries.filter((query) => query.text.includes("INSERT INTO"));

const grantedIn = async (key: string, start = windowStart): Promise<number | null> => {
  const { rows } = await sql.query<{ granted: unknown }>(
    `SELECT granted FROM ${rateLimitWindows.table} WHERE limit_key = $1 AND window_start = $2`,
    [key, start],
  );
  return rows[0] === undefined ? null : Number(rows[0].granted);
};

beforeEach(async () => {
  sql = await sharedPGlite();
  await migrate(sql);
  observed = observedSql(sql);
  logger = recordingLogger();
});

afterEach(async () => {
  observed.outage(null);
  await Promise.all(opened.splice(0).map((limiter) => limiter.close()));
  await sql.close();
});

afterAll(closeSharedPGlite);

describe("the lease statement", () => {
  const request = {
    key: "proxy:p1",
    windowMs: minute,
    windowStart,
    windowEnd,
    limit: 5,
    debt: 0,
  };

  it("grants what was asked while the limit allows, then what is left, then nothing", async () => {
    expect(await leaseQuota(sql, { ...request, want: 3 })).toEqual({
      granted: 3,
      windowGranted: 3,
    });
    expect(await leaseQuota(sql, { ...request, want: 3 })).toEqual({
      granted: 2,
      windowGranted: 5,
    });
    expect(await leaseQuota(sql, { ...request, want: 3 })).toEqual({
      granted: 0,
      windowGranted: 5,
    });
  });

  it("counts a debt whatever the limit, and grants only what the debt leaves", async () => {
    expect(await leaseQuota(sql, { ...request, want: 1, debt: 3 })).toEqual({
      granted: 1,
      windowGranted: 4,
    });
    expect(await leaseQuota(sql, { ...request, want: 2, debt: 4 })).toEqual({
      granted: 0,
      windowGranted: 8,
    });
  });

  it("keeps windows of one key with different lengths apart", async () => {
    await leaseQuota(sql, { ...request, want: 5 });

    const day = rateLimitWindowMs.day;
    const dayStart = Date.UTC(2025, 0, 1);
    const daily = { ...request, windowMs: day, windowStart: dayStart, windowEnd: dayStart + day };
    expect(await leaseQuota(sql, { ...daily, want: 5 })).toEqual({ granted: 5, windowGranted: 5 });
  });
});

describe("a shared limiter", () => {
  it("allows exactly the limit in a window and starts again in the next one", async () => {
    const limiter = limiterOn();

    const first = await hammer(limiter, {
      key: "proxy:p1",
      limit: 100,
      windowMs: minute,
      now: t0,
      attempts: 150,
      concurrency: 1,
    });
    const denied = await limiter.take("proxy:p1", 100, minute, windowEnd - 1);
    const next = await limiter.take("proxy:p1", 100, minute, windowEnd);

    expect(first).toBe(100);
    expect(denied).toEqual({ allowed: false, limit: 100, remaining: 0, resetAt: windowEnd });
    expect(next).toMatchObject({ allowed: true, limit: 100, resetAt: windowEnd + minute });
    expect(await grantedIn("proxy:p1")).toBe(100);
  });

  it("leases blocks of about a fiftieth of the limit, not one request at a time", async () => {
    const limiter = limiterOn();

    for (let i = 0; i < 100; i += 1) await limiter.take("proxy:p1", 1_000, minute, t0);

    expect(leases()).toHaveLength(5);
    expect(await grantedIn("proxy:p1")).toBe(100);
  });

  it("answers remaining as what no process has leased plus what it still holds", async () => {
    const limiter = limiterOn();

    expect(await limiter.take("proxy:p1", 1_000, minute, t0)).toMatchObject({ remaining: 999 });
    await leaseQuota(sql, {
      key: "proxy:p1",
      windowMs: minute,
      windowStart,
      windowEnd,
      limit: 1_000,
      want: 500,
      debt: 0,
    });
    // 19 of its block of 20 are left here; the row knew of 20 granted at its lease.
    expect(await limiter.take("proxy:p1", 1_000, minute, t0)).toMatchObject({ remaining: 998 });
  });

  it("serves requests that wait together from one lease, and never more than the limit", async () => {
    const limiter = limiterOn();

    const results = await Promise.all(
      Array.from({ length: 150 }, () => limiter.take("proxy:p1", 100, minute, t0)),
    );

    expect(results.filter((result) => result.allowed)).toHaveLength(100);
    // The first request's lease asks for a block; everyone who arrived meanwhile shares the next.
    expect(leases().length).toBeLessThanOrEqual(3);
    expect(await grantedIn("proxy:p1")).toBe(100);
  });

  it("holds the limit between two limiters taking at once", async () => {
    const a = limiterOn();
    const b = limiterOn();
    const options = { key: "proxy:p1", limit: 100, windowMs: minute, now: t0, attempts: 150 };

    const [allowedA, allowedB] = await Promise.all([
      hammer(a, { ...options, concurrency: 4 }),
      hammer(b, { ...options, concurrency: 4 }),
    ]);

    expect(allowedA + allowedB).toBe(100);
    expect(allowedA).toBeGreaterThan(0);
    expect(allowedB).toBeGreaterThan(0);
  });

  it("denies once the database has nothing left, without asking it again", async () => {
    const limiter = limiterOn();
    await hammer(limiter, {
      key: "p",
      limit: 10,
      windowMs: minute,
      now: t0,
      attempts: 11,
      concurrency: 1,
    });
    const asked = leases().length;

    for (let i = 0; i < 50; i += 1) {
      expect((await limiter.take("p", 10, minute, t0 + i)).allowed).toBe(false);
    }

    expect(leases()).toHaveLength(asked);
  });

  it("follows a limit changed in the middle of a window", async () => {
    const limiter = limiterOn();
    await hammer(limiter, {
      key: "p",
      limit: 100,
      windowMs: minute,
      now: t0,
      attempts: 10,
      concurrency: 1,
    });

    expect((await limiter.take("p", 5, minute, t0)).allowed).toBe(false);
    expect((await limiter.take("p", 200, minute, t0)).allowed).toBe(true);
  });

  it("never touches the database for a key without traffic", async () => {
    const idle = limiterOn({ sweepIntervalMs: 10 });
    const busy = limiterOn();
    await sleep(50);
    expect(observed.queries).toEqual([]);

    for (let i = 0; i < 20; i += 1) await busy.take("proxy:busy", 100, minute, t0);

    expect(observed.queries.length).toBeGreaterThan(0);
    expect(observed.queries.every((query) => query.params[0] === "proxy:busy")).toBe(true);
    await idle.close();
  });

  it("sweeps the rows of ended windows, keeping a margin for lagging clocks", async () => {
    const limiter = limiterOn({ sweepMarginMs: minute });
    await limiter.take("p", 10, minute, t0);
    await limiter.take("p", 10, minute, t0 + minute);
    await limiter.take("p", 10, minute, t0 + 2 * minute);

    // At t0 + 2 min the first window ended 1 min 45 s ago, the second 45 s ago.
    expect(await limiter.sweep(t0 + 2 * minute)).toBe(1);
    expect(await grantedIn("p", windowStart)).toBeNull();
    expect(await grantedIn("p", windowStart + minute)).toBe(1);
  });

  it("sweeps on its timer once it has leased", async () => {
    const limiter = limiterOn({ sweepIntervalMs: 20, sweepMarginMs: 0, clock: () => t0 + minute });
    await limiter.take("p", 10, minute, t0);

    await sleep(100);

    expect(observed.queries.some((query) => query.text.includes("DELETE FROM"))).toBe(true);
    expect(await grantedIn("p")).toBeNull();
  });
});

describe("a shared limiter without its database", () => {
  const key = "proxy:p1";
  const limit = 20;

  it("counts alone what the window had left, logs once, and settles the debt later", async () => {
    const limiter = limiterOn({ retryAfterFailureMs: 5_000 });
    const take = (now: number) => limiter.take(key, limit, minute, now);
    for (let i = 0; i < 5; i += 1) await take(t0);

    observed.outage("error");
    const during = [];
    for (let i = 0; i < 20; i += 1) during.push(await take(t0 + 1_000));

    expect(during.filter((result) => result.allowed)).toHaveLength(15);
    expect(leases()).toHaveLength(6);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({ level: "warn", fields: { component: "rateLimit" } });
    expect(logger.lines[0]?.fields.err).toBeInstanceOf(Error);

    observed.outage(null);
    const after = await take(t0 + 7_000);

    expect(after.allowed).toBe(false);
    expect(await grantedIn(key)).toBe(20);
    expect(logger.lines[1]).toMatchObject({ level: "info", fields: { failedLeases: 1 } });
  });

  it("lets the others know what it admitted, so the rest of the window is counted", async () => {
    const alone = limiterOn({ retryAfterFailureMs: 5_000 });
    observed.outage("error");
    for (let i = 0; i < 8; i += 1) await alone.take(key, limit, minute, t0);

    observed.outage(null);
    await alone.take(key, limit, minute, t0 + 6_000);
    const other = limiterOn();
    const allowed = await hammer(other, {
      key,
      limit,
      windowMs: minute,
      now: t0,
      attempts: 30,
      concurrency: 1,
    });

    expect(await grantedIn(key)).toBe(20);
    expect(allowed).toBe(11);
  });

  it("treats a database that does not answer like one that refuses", async () => {
    const limiter = limiterOn({ leaseTimeoutMs: 50 });
    observed.outage("hang");

    const started = performance.now();
    const results = await Promise.all([1, 2, 3].map(() => limiter.take(key, limit, minute, t0)));

    expect(results.every((result) => result.allowed)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(leases()).toHaveLength(1);
    expect(logger.lines[0]?.fields.err).toMatchObject({
      message: expect.stringContaining("timed out"),
    });
  });
});
