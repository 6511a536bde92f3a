/**
 * Field case C9: no log of any kind — request log, request records, usage,
 * error answers, the process's own stdout and stderr, the store at rest —
 * holds a secret, over a success, an upstream 500, an unreachable upstream, a
 * timeout, denials, and queued requests that fail twice and then succeed
 * (attempt history, kept answer, queue figures).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";
import { callApi, randomMasterKey } from "../support/ferry.ts";
import { inflatedEventData } from "../support/rawRows.ts";
import { serveFerry, type ServedFerry } from "../support/ferryProcess.ts";
import { startRefusingUpstream, type RefusingUpstream } from "../support/refusingUpstream.ts";
import {
  headerValues,
  startRecordingUpstream,
  type RecordingUpstream,
} from "../support/recordingUpstream.ts";

const TOKEN = "u-c9c9c9c9c9c9c9c9c9c9c9c9c9c9";
const CALLER_KEY = "pk_caller_SECRET_0001";
const TARGET_KEY = "tk_SECRET1";
const PASSWORD = "pw_SECRET2";
/** Requests sent at once: their records' JSON passes the store's compression threshold. */
const BURST = 150;
const secrets = [
  CALLER_KEY,
  TARGET_KEY,
  PASSWORD,
  Buffer.from(`caller:${PASSWORD}`).toString("base64"),
  encodeURIComponent(TARGET_KEY),
];

let dataDir: string;
let ferry: ServedFerry;
let upstream: RecordingUpstream;
let refusing: RefusingUpstream;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ferry-c9-"));
  upstream = await startRecordingUpstream();
  refusing = await startRefusingUpstream();
  // Each `/twice/…` path fails twice, then succeeds.
  const seenTwice = new Map<string, number>();
  upstream.respondWith((request) => {
    if (request.path.startsWith("/twice/")) {
      const seen = (seenTwice.get(request.path) ?? 0) + 1;
      seenTwice.set(request.path, seen);
      return seen <= 2
        ? { status: 500, body: "upstream broke" }
        : { status: 201, headers: [["Content-Type", "text/plain"]], body: "done" };
    }
    return request.path.endsWith("/fail")
      ? { status: 500, body: "upstream broke" }
      : request.path.endsWith("/slow")
        ? { hang: true }
        : { status: 200, body: "ok" };
  });
  ferry = await serveFerry({
    FERRY_DATA_DIR: dataDir,
    FERRY_MASTER_KEY: randomMasterKey(),
    FERRY_ADMIN_TOKEN: TOKEN,
    FERRY_LOG_LEVEL: "debug",
  });
}, 60_000);
afterAll(async () => {
  await upstream?.close();
  await refusing?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown) =>
  callApi(ferry.core, TOKEN, method, path, body);

const must = async (path: string, body: unknown) => {
  const answer = await api("POST", path, body);
  expect(answer.status).toBe(201);
  return answer.body;
};

describe("C9: secrets in logs", () => {
  it("appear in no log, record, answer or output", async () => {
    const client = await must("/clients", { clientName: "C9" });
    const base = `/clients/${client.clientId}`;
    const caller = await must(`${base}/credentials`, {
      credentialName: "caller",
      credentialType: "proxy",
      authType: "apiKey",
      secret: { keyValue: CALLER_KEY },
    });
    const basic = await must(`${base}/credentials`, {
      credentialName: "basic caller",
      credentialType: "proxy",
      authType: "basicAuth",
      secret: { username: "caller", password: PASSWORD },
    });
    const queryKey = await must(`${base}/credentials`, {
      credentialName: "query key",
      credentialType: "target",
      authType: "apiKey",
      secret: { keyName: "api_key", keyValue: TARGET_KEY, in: "query" },
    });
    const target = await must(`${base}/targets`, {
      targetName: "up",
      baseURL: upstream.origin,
      timeoutMs: 500,
    });
    const flaky = await must(`${base}/targets`, {
      targetName: "flaky",
      baseURL: upstream.origin,
      retryPolicy: { maxRetries: 4, baseDelayMs: 20, maxDelayMs: 50 },
    });
    const gone = await must(`${base}/targets`, {
      targetName: "gone",
      baseURL: refusing.origin,
    });
    const proxy = (targetId: string, proxyCredentialId: string) =>
      must(`${base}/proxies`, {
        proxyName: "p",
        proxyCredentialId,
        targetId,
        targetCredentialId: queryKey.credentialId,
      });
    const keyed = await proxy(target.targetId, caller.credentialId);
    const unreachable = await proxy(gone.targetId, caller.credentialId);
    const passworded = await proxy(target.targetId, basic.credentialId);
    const keyedQueue = await proxy(flaky.targetId, caller.credentialId);
    const passwordedQueue = await proxy(flaky.targetId, basic.credentialId);

    const answers: string[] = [];
    const send = async (url: string, headers: Record<string, string>) => {
      const response = await fetch(url, { headers });
      answers.push(JSON.stringify([...response.headers]), await response.text());
      return response.status;
    };
    const bearer = { authorization: `Bearer ${CALLER_KEY}` };
    const basicAuth = {
      authorization: `Basic ${Buffer.from(`caller:${PASSWORD}`).toString("base64")}`,
    };
    expect(await send(`${keyed.baseURL}/ok?api_key=guess&page=2`, bearer)).toBe(200);
    expect(await send(`${keyed.baseURL}/ok?Authorization=${CALLER_KEY}`, {})).toBe(200);
    expect(await send(`${keyed.baseURL}/fail`, bearer)).toBe(500);
    expect(await send(`${keyed.baseURL}/slow`, bearer)).toBe(504);
    expect(await send(`${unreachable.baseURL}/ok`, bearer)).toBe(502);
    expect(await send(`${passworded.baseURL}/ok`, basicAuth)).toBe(200);
    expect(
      await send(`${passworded.baseURL}/ok`, { authorization: "Basic Y2FsbGVyOndyb25n" }),
    ).toBe(403);
    expect(upstream.requests.some((r) => r.query?.includes(encodeURIComponent(TARGET_KEY)))).toBe(
      true,
    );
    // A burst large enough for its records to be stored as one compressed
    // batch, each with the caller's key in its query: the store's search
    // below must inflate it to see what it holds.
    const burst = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        fetch(`${keyed.baseURL}/burst?Authorization=${CALLER_KEY}&n=${i}`).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    expect(burst.every((status) => status === 200)).toBe(true);

    // The async half: queued requests that fail twice and then succeed.
    const queue = async (url: string, headers: Record<string, string>, body: string) => {
      const response = await fetch(url, { method: "POST", headers, body });
      const text = await response.text();
      answers.push(JSON.stringify([...response.headers]), text);
      return { status: response.status, requestId: response.headers.get("x-request-id") };
    };
    const asyncOf = (proxyURL: string) => proxyURL.replace("/api/", "/async/");
    const queued = [
      await queue(
        `${asyncOf(keyedQueue.baseURL)}/twice/keyed?api_key=guess&page=2`,
        { ...bearer, "idempotency-key": "c9-keyed", "content-type": "application/json" },
        JSON.stringify({ order: 1 }),
      ),
      await queue(`${asyncOf(passwordedQueue.baseURL)}/twice/basic`, basicAuth, "payload"),
      await queue(`${asyncOf(keyedQueue.baseURL)}/once?Authorization=${CALLER_KEY}`, {}, "x"),
    ];
    expect(queued.map((q) => q.status)).toEqual([202, 202, 202]);
    const refused = await queue(
      `${asyncOf(passwordedQueue.baseURL)}/twice/refused`,
      { authorization: "Basic Y2FsbGVyOndyb25n" },
      "x",
    );
    expect(refused.status).toBe(403);

    const settled: { status: string; attempts: number; attemptHistory: { outcome: string }[] }[] =
      [];
    for (const { requestId } of queued) {
      const until = Date.now() + 30_000;
      for (;;) {
        const detail = await api("GET", `${base}/requests/${requestId}`);
        if (detail.status === 200 && ["completed", "failed"].includes(detail.body.status)) {
          settled.push(detail.body);
          break;
        }
        if (Date.now() > until) throw new Error(`not settled: ${JSON.stringify(detail.body)}`);
        await Bun.sleep(50);
      }
    }
    expect(settled.map((s) => [s.status, s.attempts])).toEqual([
      ["completed", 3],
      ["completed", 3],
      ["completed", 1],
    ]);
    expect(settled[0]!.attemptHistory.map((a) => a.outcome)).toEqual([
      "retrying",
      "retrying",
      "completed",
    ]);
    // Every attempt carried the target key in its query, and no caller credential.
    const deliveries = upstream.requests.filter((r) =>
      queued.some((q) => headerValues(r, "idempotency-key")[0] === q.requestId),
    );
    expect(deliveries).toHaveLength(7);
    for (const delivery of deliveries) {
      expect(delivery.query).toContain(`api_key=${encodeURIComponent(TARGET_KEY)}`);
      for (const secret of [CALLER_KEY, PASSWORD, basicAuth.authorization.slice(6)])
        expect(delivery.head).not.toContain(secret);
    }

    // The request log, once the records are flushed and projected.
    let log: { data: { requestId: string }[] } = { data: [] };
    const deadline = Date.now() + 20_000;
    while (log.data.length < 11 + BURST && Date.now() < deadline) {
      await Bun.sleep(200);
      log = (await api("GET", `${base}/requests`)).body;
    }
    expect(log.data).toHaveLength(11 + BURST);
    const seen = [JSON.stringify(log), ...answers];
    for (const { requestId } of log.data)
      seen.push(JSON.stringify((await api("GET", `${base}/requests/${requestId}`)).body));
    for (const { requestId } of queued) {
      const detail = await api("GET", `${base}/requests/${requestId}`);
      expect(detail.body.response).toMatchObject({ body: expect.any(String) });
      seen.push(
        JSON.stringify(
          (await api("GET", `${base}/proxies/${detail.body.proxyId}/requests/${requestId}`)).body,
        ),
      );
    }
    seen.push(JSON.stringify((await api("GET", `${base}/requests?status=completed`)).body));
    seen.push(JSON.stringify((await api("GET", `${base}/usage`)).body));
    seen.push(
      JSON.stringify((await api("GET", `${base}/usage?proxyId=${keyedQueue.proxyId}`)).body),
    );
    const stats = await api("GET", `${base}/queue`);
    expect(stats.body).toMatchObject({ depth: { total: 0 }, outcomes: { completed: 3 } });
    seen.push(JSON.stringify(stats.body));
    seen.push(
      JSON.stringify((await api("GET", `${base}/queue?proxyId=${keyedQueue.proxyId}`)).body),
    );
    seen.push(JSON.stringify((await api("GET", `${base}/credentials`)).body));
    seen.push(
      JSON.stringify(
        (await api("GET", `${base}/credentials/${queryKey.credentialId}/history`)).body,
      ),
    );
    const explained = await api("POST", `${base}/proxies/${keyed.proxyId}/explain`, {
      method: "GET",
      path: "/ok",
    });
    seen.push(JSON.stringify(explained.body));

    expect(await ferry.stop()).toBe(0);
    seen.push(ferry.output());
    expect(ferry.output()).toContain("upstream request failed");
    expect(ferry.output()).toContain("attempt recorded");

    // The store at rest: every row of every table, as text.
    const store = await openPGlite({ dataDir: join(dataDir, "store") });
    try {
      const { rows: tables } = await store.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.name)).toContain("public.ferry_events");
      for (const { name } of tables) {
        const { rows } = await store.query<{ row: string }>(
          `SELECT row_to_json(t)::text AS row FROM ${name} t`,
        );
        seen.push(`${name}: ${rows.map((r) => r.row).join("\n")}`);
      }
      const inflated = await inflatedEventData(store);
      expect(inflated.some((json) => json.includes("/burst"))).toBe(true);
      seen.push(...inflated);
    } finally {
      await store.close();
    }

    for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret);
  }, 90_000);
});
