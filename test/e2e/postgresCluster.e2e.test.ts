/**
 * Two Ferry processes' worth of servers on one Postgres: a change made
 * through one Core API is live in the other's proxy within a second, with no
 * database round trip on the request path (the table is pushed by NOTIFY).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { sqlIdentifier } from "../../adapters/sql/identifier.ts";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import {
  createIntegration,
  randomMasterKey,
  startTestFerry,
  type TestFerry,
} from "../support/ferry.ts";
import { freshSchemaName, hasPostgres } from "../support/stores.ts";

const within = async (ms: number, check: () => Promise<boolean>) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await Bun.sleep(25);
  }
  throw new Error(`not within ${ms} ms`);
};

describe.skipIf(!hasPostgres)("two Ferry instances on one Postgres", () => {
  const schema = freshSchemaName();
  const masterKey = randomMasterKey();
  let a: TestFerry;
  let b: TestFerry;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const connectionString = process.env.DATABASE_URL!;
    a = await startTestFerry({
      sql: await openPostgres({ connectionString, schema }),
      env: { FERRY_MASTER_KEY: masterKey },
    });
    b = await startTestFerry({
      sql: await openPostgres({ connectionString, schema }),
      env: { FERRY_MASTER_KEY: masterKey },
    });
  });
  afterAll(async () => {
    await b?.close();
    const cleanup = await openPostgres({ connectionString: process.env.DATABASE_URL! });
    await a?.close();
    await cleanup.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
    await cleanup.close();
    upstream?.stop();
  });

  it("serves in B what was configured through A, and follows rotation and deactivation", async () => {
    expect(b.admin).toBeNull();
    const setup = await createIntegration(a, upstream.url, {
      targetAuthType: "bearer",
      targetSecret: { token: "tk_first" },
    });
    const throughB = () =>
      fetch(`${setup.proxy.baseURL.replace(a.proxyUrl, b.proxyUrl)}/orders`, {
        headers: { "x-api-key": setup.key },
      });

    await within(1000, async () => (await throughB()).status === 200);
    expect(upstream.seen.at(-1)!.headers).toContainEqual(["authorization", "Bearer tk_first"]);

    const rotated = await a.api(
      "PUT",
      `${setup.base}/credentials/${setup.targetCredential.credentialId}`,
      {
        secret: { token: "tk_second" },
      },
    );
    expect(rotated.status).toBe(200);
    await within(1000, async () => {
      await throughB();
      return upstream.seen
        .at(-1)!
        .headers.some(([n, v]) => n === "authorization" && v === "Bearer tk_second");
    });

    const off = await a.api("PUT", `${setup.base}/proxies/${setup.proxy.proxyId}`, {
      active: false,
    });
    expect(off.body.active).toBe(false);
    await within(1000, async () => (await throughB()).status === 403);
  });
});

describe.skipIf(!hasPostgres)("two Ferry instances starting at once on an empty Postgres", () => {
  it("create one admin user between them", async () => {
    const schema = freshSchemaName();
    const connectionString = process.env.DATABASE_URL!;
    const masterKey = randomMasterKey();
    const started = await Promise.all(
      [0, 1].map(async () =>
        startTestFerry({
          sql: await openPostgres({ connectionString, schema }),
          env: { FERRY_MASTER_KEY: masterKey },
        }),
      ),
    );
    try {
      expect(started.filter((ferry) => ferry.admin !== null)).toHaveLength(1);
      const { rows } = await started[0]!.sql.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM ferry_events WHERE type = 'UserCreated'",
      );
      expect(rows[0]!.n).toBe("1");
      const winner = started.find((ferry) => ferry.admin !== null)!;
      const loser = started.find((ferry) => ferry.admin === null)!;
      // The loser serves the winner's admin too.
      await loser.ferry.live.catchUp();
      expect((await loser.api("GET", "/users/me", undefined, winner.adminToken)).status).toBe(200);
    } finally {
      for (const ferry of started) await ferry.close();
      const cleanup = await openPostgres({ connectionString });
      await cleanup.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
      await cleanup.close();
    }
  }, 60_000);
});
