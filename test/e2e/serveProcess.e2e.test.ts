/**
 * `ferry serve` as a real process on the embedded store: it prints the admin
 * token on first start only, data survive a restart, and SIGTERM lets an
 * in-flight request finish and flushes its request record before exit.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import { callApi, randomMasterKey } from "../support/ferry.ts";
import { freePort, serveFerry, type ServedFerry } from "../support/ferryProcess.ts";

let dataDir: string;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
const masterKey = randomMasterKey();

type Served = ServedFerry;
const serve = () => serveFerry({ FERRY_DATA_DIR: dataDir, FERRY_MASTER_KEY: masterKey });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ferry-serve-"));
  upstream = await startEchoUpstream();
});
afterAll(async () => {
  upstream?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("ferry serve on the embedded store", () => {
  it("prints the admin token once, survives a restart, and drains on SIGTERM", async () => {
    const first = await serve();
    const token = /(u-[A-Za-z0-9_-]{20,})/.exec(first.output())?.[1];
    expect(token).toBeDefined();

    const api = (served: Served, method: string, path: string, body?: unknown) =>
      callApi(served.core, token!, method, path, body);
    const client = (await api(first, "POST", "/clients", { clientName: "Durable" })).body;
    const base = `/clients/${client.clientId}`;
    const caller = (
      await api(first, "POST", `${base}/credentials`, {
        credentialName: "caller",
        credentialType: "proxy",
        authType: "apiKey",
      })
    ).body;
    const upstreamCredential = (
      await api(first, "POST", `${base}/credentials`, {
        credentialName: "upstream",
        credentialType: "target",
        authType: "bearer",
        secret: { token: "tk_durable_upstream" },
      })
    ).body;
    const target = (
      await api(first, "POST", `${base}/targets`, { targetName: "echo", baseURL: upstream.url })
    ).body;
    const proxy = (
      await api(first, "POST", `${base}/proxies`, {
        proxyName: "durable",
        proxyCredentialId: caller.credentialId,
        targetId: target.targetId,
        targetCredentialId: upstreamCredential.credentialId,
      })
    ).body;
    expect(proxy.baseURL).toBe(`${first.proxy}/api/${proxy.proxyId}`);
    const key = caller.secret.keyValue;

    const quick = await fetch(`${proxy.baseURL}/quick`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(quick.status).toBe(200);

    const slow = fetch(`${proxy.baseURL}/slow`, { headers: { authorization: `Bearer ${key}` } });
    await Bun.sleep(300);
    first.child.kill("SIGTERM");
    const slowAnswer = await slow;
    expect(slowAnswer.status).toBe(200);
    expect(await first.child.exited).toBe(0);

    const second = await serve();
    expect(second.output()).not.toMatch(/u-[A-Za-z0-9_-]{20,}/);
    const again = await fetch(`${proxy.baseURL.replace(first.proxy, second.proxy)}/after-restart`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(again.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers).toContainEqual([
      "authorization",
      "Bearer tk_durable_upstream",
    ]);
    expect((await api(second, "GET", `${base}/proxies/${proxy.proxyId}`)).body.proxyName).toBe(
      "durable",
    );

    second.child.kill("SIGTERM");
    expect(await second.child.exited).toBe(0);

    const db = await PGlite.create(join(dataDir, "store"));
    try {
      const { rows } = await db.query<{ path: string }>(
        `select record->>'path' as path
         from ferry_events, jsonb_array_elements(data->'records') with ordinality as r(record, n)
         where type = 'ProxyRequestsRecorded' order by transaction_id, sequence, n`,
      );
      expect(rows.map((row) => row.path)).toEqual(["/quick", "/slow", "/after-restart"]);
    } finally {
      await db.close();
    }
  }, 90_000);

  it("stops when `npm start` is sent SIGTERM, as a process manager sends it", async () => {
    const own = await mkdtemp(join(tmpdir(), "ferry-npm-start-"));
    const npm = Bun.spawn(["npm", "start"], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FERRY_DATA_DIR: own,
        FERRY_MASTER_KEY: masterKey,
        FERRY_CORE_PORT: String(freePort()),
        FERRY_PROXY_PORT: String(freePort()),
      },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    let ferryPid = 0;
    try {
      let output = "";
      const reader = npm.stdout.getReader();
      while (!output.includes("ferry is serving")) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`npm start ended: ${output}`);
        output += new TextDecoder().decode(value);
      }
      ferryPid = Number((await readFile(join(own, "ferry.pid"), "utf8")).trim());
      expect(ferryPid).not.toBe(npm.pid);

      npm.kill("SIGTERM");
      await npm.exited;
      // The server itself got the signal: it is gone, not left behind.
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        try {
          process.kill(ferryPid, 0);
          await Bun.sleep(100);
        } catch {
          alive = false;
        }
      }
      expect(alive).toBe(false);
    } finally {
      npm.kill("SIGKILL");
      try {
        if (ferryPid > 0) process.kill(ferryPid, "SIGKILL");
      } catch {
        // Gone, as it should be: it is left behind only when the test fails.
      }
      await rm(own, { recursive: true, force: true });
    }
  }, 60_000);
});
