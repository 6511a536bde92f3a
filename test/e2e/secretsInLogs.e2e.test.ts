/**
 * Field case C9: no log of any kind — request log, request records, usage,
 * error answers, the process's own stdout and stderr — holds a secret, over a
 * success, an upstream 500, an unreachable upstream, a timeout and denials.
 * (The async half of C9 waits for the queued API.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, randomMasterKey } from "../support/ferry.ts";
import { freePort, serveFerry, type ServedFerry } from "../support/ferryProcess.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";

const TOKEN = "u-c9c9c9c9c9c9c9c9c9c9c9c9c9c9";
const CALLER_KEY = "pk_caller_SECRET_0001";
const TARGET_KEY = "tk_SECRET1";
const PASSWORD = "pw_SECRET2";
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

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ferry-c9-"));
  upstream = await startRecordingUpstream();
  upstream.respondWith((request) =>
    request.path.endsWith("/fail")
      ? { status: 500, body: "upstream broke" }
      : request.path.endsWith("/slow")
        ? { hang: true }
        : { status: 200, body: "ok" },
  );
  ferry = await serveFerry({
    FERRY_DATA_DIR: dataDir,
    FERRY_MASTER_KEY: randomMasterKey(),
    FERRY_ADMIN_TOKEN: TOKEN,
    FERRY_LOG_LEVEL: "debug",
  });
}, 60_000);
afterAll(async () => {
  await upstream?.close();
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
    const gone = await must(`${base}/targets`, {
      targetName: "gone",
      baseURL: `http://127.0.0.1:${freePort()}`,
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

    // The request log, once the records are flushed and projected.
    let log: { data: { requestId: string }[] } = { data: [] };
    const deadline = Date.now() + 20_000;
    while (log.data.length < 7 && Date.now() < deadline) {
      await Bun.sleep(200);
      log = (await api("GET", `${base}/requests`)).body;
    }
    expect(log.data).toHaveLength(7);
    const seen = [JSON.stringify(log), ...answers];
    for (const { requestId } of log.data)
      seen.push(JSON.stringify((await api("GET", `${base}/requests/${requestId}`)).body));
    seen.push(JSON.stringify((await api("GET", `${base}/usage`)).body));
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

    for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret);
  }, 90_000);
});
