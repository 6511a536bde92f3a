/**
 * Rules and limits as the proxy applies them, against a recording upstream
 * (field cases C1 and C2, the guide's rule flow, rate limits): a rule that
 * says deny denies however the request is spelled, and a denied request
 * never reaches the upstream.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "../proxy/proxyHarness.ts";
import { responseHeader } from "../proxy/rawHttp.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;
let upstream: RecordingUpstream;
let setup: Awaited<ReturnType<typeof createIntegration>>;
let port: number;
let auth: string;
const ruleIds: string[] = [];

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  ferry = await startTestFerry();
  setup = await createIntegration(ferry, upstream.origin);
  port = Number(new URL(ferry.proxyUrl).port);
  auth = `Authorization: Bearer ${setup.key}`;
});
afterAll(async () => {
  await ferry?.close();
  await upstream?.close();
  await closeSharedPGlite();
});
beforeEach(async () => {
  for (const id of ruleIds.splice(0))
    expect((await ferry.api("DELETE", `${rulesOf("proxies")}/${id}`)).status).toBe(204);
  upstream.requests.length = 0;
});

const rulesOf = (kind: "proxies" | "credentials" | "targets", id?: string) => {
  const owner =
    id ??
    (kind === "proxies"
      ? setup.proxy.proxyId
      : kind === "targets"
        ? setup.target.targetId
        : setup.proxyCredential.credentialId);
  return `${setup.base}/${kind}/${owner}/rules`;
};

const addRule = async (
  body: Record<string, unknown>,
  kind: "proxies" | "credentials" | "targets" = "proxies",
) => {
  const answer = await ferry.api("POST", rulesOf(kind), body);
  expect(answer.status).toBe(201);
  if (kind === "proxies") ruleIds.push(answer.body.ruleId);
  return answer.body;
};

const P = () => `/api/${setup.proxy.proxyId}`;

describe("C1: encoded traversal cannot pass a deny", () => {
  it("refuses every spelling and the upstream sees none of them", async () => {
    const rule = await addRule({ effect: "deny", pathPattern: "^/admin" });
    for (const path of [
      "/public/..%2fadmin/x",
      "/public/%2e%2e/admin/x",
      "/public/%2e%2e%2fadmin/x",
      "/public/%252e%252e%252fadmin/x",
      "/admin/x",
    ]) {
      const answer = await call({ port }, `GET ${P()}${path}`, [auth]);
      expect([400, 403]).toContain(answer.status);
    }
    expect(upstream.requests).toEqual([]);
    const denied = await call({ port }, `GET ${P()}/admin/x`, [auth]);
    const body = JSON.parse(denied.body.toString());
    expect(body.error.details).toEqual({ scope: "proxy", ruleId: rule.ruleId });
    expect(denied.body.toString()).not.toContain("^/admin");
    expect(responseHeader(denied, "requestrocket-proxy-code")).toEqual(["proxy-access-denied"]);
  });
});

describe("C2: doubled slashes cannot skip a deny", () => {
  it("denies //secret, secret// and ///secret without an upstream call", async () => {
    await addRule({ effect: "deny", pathPattern: "^/secret/" });
    for (const path of ["//secret/a", "/secret//a", "///secret/a"]) {
      const answer = await call({ port }, `GET ${P()}${path}`, [auth]);
      expect(answer.status).toBe(403);
    }
    expect(upstream.requests).toEqual([]);
    expect((await call({ port }, `GET ${P()}/public/a`, [auth])).status).toBe(200);
    expect(upstream.requests.map((r) => r.path)).toEqual(["/public/a"]);
  });
});

describe("the guide's rules", () => {
  it("denies an admin path and writes that are not reads", async () => {
    await addRule({ effect: "deny", pathPattern: "/admin/*", pathPresence: "present" });
    await addRule({ effect: "deny", methodPattern: "DELETE|PUT", methodPresence: "present" });
    expect((await call({ port }, `GET ${P()}/admin/users`, [auth])).status).toBe(403);
    expect((await call({ port }, `DELETE ${P()}/orders/1`, [auth])).status).toBe(403);
    expect((await call({ port }, `PUT ${P()}/orders/1`, [auth], "{}")).status).toBe(403);
    expect((await call({ port }, `GET ${P()}/orders/1`, [auth])).status).toBe(200);
    expect((await call({ port }, `POST ${P()}/orders`, [auth], "{}")).status).toBe(200);
    expect(upstream.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  it("answers 429 with Retry-After and RateLimit fields once a rule's limit is exceeded", async () => {
    await addRule({ effect: "deny", rateLimit: { limit: 3, window: "hour" } });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await call({ port }, `GET ${P()}/limited`, [auth]);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(responseHeader(last!, "retry-after")[0])).toBeGreaterThan(0);
    expect(responseHeader(last!, "ratelimit-limit")).toEqual(["3"]);
    expect(upstream.requests).toHaveLength(3);
  });
});

describe("a catastrophic pattern", () => {
  it("cannot stall the proxy: other requests are answered promptly while it is matched", async () => {
    await addRule({ effect: "deny", pathPattern: "(a+)+$" });
    const hostile = `/${"a".repeat(6_000)}!`;
    const started = performance.now();
    const [slow, ...others] = await Promise.all([
      call({ port }, `GET ${P()}${hostile}`, [auth]),
      ...Array.from({ length: 5 }, () => call({ port }, `GET ${P()}/fine`, [auth])),
    ]);
    const elapsed = performance.now() - started;
    // No match (the path ends in "!"): the worst case for a backtracking engine.
    expect(slow.status).toBe(200);
    expect((await call({ port }, `GET ${P()}/${"a".repeat(6_000)}`, [auth])).status).toBe(403);
    expect(others.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    // Generous: a backtracking engine takes minutes on this input.
    expect(elapsed).toBeLessThan(5_000);
  });
});

describe("scopes and default effects", () => {
  it("lets a target default of deny be opened by an allow rule, and deny wins over allow", async () => {
    const target = `${setup.base}/targets/${setup.target.targetId}`;
    expect((await ferry.api("PUT", target, { defaultEffect: "deny" })).status).toBe(200);
    expect((await call({ port }, `GET ${P()}/reports`, [auth])).status).toBe(403);

    const allow = await addRule({ effect: "allow", pathPattern: "^/reports" }, "targets");
    expect((await call({ port }, `GET ${P()}/reports`, [auth])).status).toBe(200);

    const deny = await addRule({ effect: "deny", pathPattern: "^/reports/private" }, "targets");
    expect((await call({ port }, `GET ${P()}/reports/private`, [auth])).status).toBe(403);

    for (const id of [allow.ruleId, deny.ruleId])
      expect((await ferry.api("DELETE", `${rulesOf("targets")}/${id}`)).status).toBe(204);
    expect((await ferry.api("PUT", target, { defaultEffect: "allow" })).status).toBe(200);
    expect((await call({ port }, `GET ${P()}/reports/private`, [auth])).status).toBe(200);
  });

  it("holds the proxy's own per-minute limit", async () => {
    const proxy = `${setup.base}/proxies/${setup.proxy.proxyId}`;
    expect((await ferry.api("PUT", proxy, { maxRequestsPerMinute: 2 })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call({ port }, `GET ${P()}/minute`, [auth])).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await ferry.api("PUT", proxy, { maxRequestsPerMinute: null })).status).toBe(200);
    expect((await call({ port }, `GET ${P()}/minute`, [auth])).status).toBe(200);
  });
});
