/**
 * The shared limiter on server Postgres, where leases really run at once:
 * two pools in this process, then two proxy processes. The spec's bound is
 * 110 accepted for a limit of 100; the leasing design never exceeds the
 * limit and loses at most one unspent block per process.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { rateLimitWindowMs } from "../../adapters/rateLimit/rateLimiter.ts";
import { createSharedRateLimiter } from "../../adapters/rateLimit/sharedRateLimiter.ts";
import { rateLimitWindows } from "../../adapters/rateLimit/tables.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { freshPostgresSchema, hasPostgres } from "../support/stores.ts";
import { hammer } from "./hammer.ts";
import { recordingLogger } from "./observedSql.ts";

const bun = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));
const hammerProcess = fileURLToPath(new URL("./hammerProcess.ts", import.meta.url));
const minute = rateLimitWindowMs.minute;

describe.skipIf(!hasPostgres)("a shared limiter on server Postgres", () => {
  let first: SqlClient;
  let second: SqlClient;
  let schema: string;

  beforeEach(async () => {
    first = await freshPostgresSchema();
    await migrate(first);
    const { rows } = await first.query<{ schema: string }>("SELECT current_schema() AS schema");
    schema = rows[0]!.schema;
    second = await openPostgres({ connectionString: process.env.DATABASE_URL!, schema });
  });

  afterEach(async () => {
    await second?.close();
    await first?.close();
  });

  const grantedIn = async (key: string): Promise<number> => {
    const { rows } = await first.query<{ granted: string }>(
      `SELECT sum(granted) AS granted FROM ${rateLimitWindows.table} WHERE limit_key = $1`,
      [key],
    );
    return Number(rows[0]?.granted ?? 0);
  };

  it.each([
    { limit: 100, concurrency: 1 },
    { limit: 100, concurrency: 16 },
    { limit: 1_000, concurrency: 16 },
  ])("holds $limit a minute across two pools at concurrency $concurrency", async (shape) => {
    const logger = recordingLogger();
    const limiters = [first, second].map((sql) =>
      // No slow lease on a loaded machine may pass for an outage here.
      createSharedRateLimiter({ sql, logger, sweepIntervalMs: 0, leaseTimeoutMs: 10_000 }),
    );
    const options = {
      key: "proxy:p1",
      windowMs: minute,
      now: Date.now(),
      attempts: 2 * shape.limit,
    };

    const allowed = await Promise.all(
      limiters.map((limiter) => hammer(limiter, { ...options, ...shape })),
    );
    await Promise.all(limiters.map((limiter) => limiter.close()));

    const total = allowed[0]! + allowed[1]!;
    expect(total).toBeLessThanOrEqual(shape.limit);
    expect(total).toBeGreaterThanOrEqual(shape.limit * 0.9);
    expect(allowed.every((count) => count > 0)).toBe(true);
    expect(await grantedIn("proxy:p1")).toBeLessThanOrEqual(shape.limit);
    expect(logger.lines).toEqual([]);
  });

  it("holds 100 a minute across two proxy processes", async () => {
    const now = Date.now();
    const args = [schema, "proxy:p1", 100, minute, now, 400, 8].map(String);

    const children = [0, 1].map(() => {
      const child = spawn(bun, [hammerProcess, ...args], {
        env: { ...process.env },
        stdio: ["pipe", "pipe", "inherit"],
      });
      const lines = createInterface({ input: child.stdout! });
      const next = () => new Promise<string>((resolve) => lines.once("line", resolve));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { child, next, exited, ready: next() };
    });

    await Promise.all(children.map((c) => c.ready));
    const answers = children.map((c) => c.next());
    children.forEach((c) => c.child.stdin!.write("go\n"));
    const allowed = (await Promise.all(answers)).map((line) => JSON.parse(line).allowed as number);
    const codes = await Promise.all(children.map((c) => c.exited));

    expect(codes).toEqual([0, 0]);
    const total = allowed[0]! + allowed[1]!;
    expect(total).toBeLessThanOrEqual(110);
    expect(total).toBeGreaterThanOrEqual(90);
    expect(total).toBeLessThanOrEqual(100);
    expect(allowed.every((count) => count > 0)).toBe(true);
    expect(await grantedIn("proxy:p1")).toBeLessThanOrEqual(100);
  }, 60_000);
});
