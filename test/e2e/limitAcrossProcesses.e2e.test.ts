/**
 * Two `ferry serve` processes on one Postgres hold a rate limit together:
 * a 100-per-minute rule accepts at most 110 requests (in practice at most
 * 100) whichever process they reach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { sqlIdentifier } from "../../adapters/sql/identifier.ts";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import { callApi, randomMasterKey } from "../support/ferry.ts";
import { serveFerry, type ServedFerry } from "../support/ferryProcess.ts";
import { freshSchemaName, hasPostgres } from "../support/stores.ts";

describe.skipIf(!hasPostgres)("a rate limit across two processes on one Postgres", () => {
  const schema = freshSchemaName();
  const served: ServedFerry[] = [];
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const base = process.env.DATABASE_URL!;
    const admin = await openPostgres({ connectionString: base });
    await admin.query(`CREATE SCHEMA ${sqlIdentifier(schema)}`);
    await admin.close();
    const url = `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = {
      DATABASE_URL: url,
      FERRY_MASTER_KEY: randomMasterKey(),
      FERRY_DATA_DIR: "/nonexistent-ferry-data",
    };
    // One after the other: the first creates the schema and the admin user.
    served.push(await serveFerry({ ...env, FERRY_ADMIN_TOKEN: "u-limitlimitlimitlimitlimit01" }));
    served.push(await serveFerry(env));
  }, 60_000);

  afterAll(async () => {
    for (const ferry of served) await ferry.stop();
    upstream?.stop();
    const admin = await openPostgres({ connectionString: process.env.DATABASE_URL! });
    await admin.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
    await admin.close();
  });

  it("accepts at most 110 of 300 requests spread over both", async () => {
    const [a, b] = served as [ServedFerry, ServedFerry];
    const api = (method: string, path: string, body?: unknown) =>
      callApi(a.core, "u-limitlimitlimitlimitlimit01", method, path, body);
    const must = async (path: string, body: unknown) => {
      const answer = await api("POST", path, body);
      expect(answer.status).toBe(201);
      return answer.body;
    };
    const client = await must("/clients", { clientName: "Limited" });
    const base = `/clients/${client.clientId}`;
    const caller = await must(`${base}/credentials`, {
      credentialName: "c",
      credentialType: "proxy",
      authType: "apiKey",
    });
    const upstreamCredential = await must(`${base}/credentials`, {
      credentialName: "u",
      credentialType: "target",
      authType: "none",
    });
    const target = await must(`${base}/targets`, { targetName: "echo", baseURL: upstream.url });
    const proxy = await must(`${base}/proxies`, {
      proxyName: "limited",
      proxyCredentialId: caller.credentialId,
      targetId: target.targetId,
      targetCredentialId: upstreamCredential.credentialId,
    });
    await must(`${base}/proxies/${proxy.proxyId}/rules`, {
      effect: "deny",
      rateLimit: { limit: 100, window: "minute" },
    });
    const key = caller.secret.keyValue;
    const paths = [a, b].map((ferry) => `${ferry.proxy}/api/${proxy.proxyId}/x`);

    // The rule must be live in both processes before counting starts.
    for (const ferry of [a, b]) {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const explain = await callApi(
          ferry.core,
          "u-limitlimitlimitlimitlimit01",
          "POST",
          `${base}/proxies/${proxy.proxyId}/explain`,
          {
            method: "GET",
            path: "/x",
          },
        );
        if (explain.body?.limits?.rules?.length === 1) break;
        if (Date.now() > deadline) throw new Error("rule not live");
        await Bun.sleep(50);
      }
    }
    // Stay inside one minute: the window is fixed and aligned to the clock.
    const second = new Date().getUTCSeconds();
    if (second > 40) await Bun.sleep((61 - second) * 1000);

    const statuses: number[] = [];
    const worker = async (url: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    };
    await Promise.all([...Array(5)].flatMap(() => paths.map((url) => worker(url, 30))));

    const accepted = statuses.filter((status) => status === 200).length;
    const limited = statuses.filter((status) => status === 429).length;
    expect(accepted + limited).toBe(300);
    expect(accepted).toBeLessThanOrEqual(110);
    expect(accepted).toBeGreaterThanOrEqual(90);
  }, 120_000);
});
