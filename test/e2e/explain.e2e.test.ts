/**
 * The explain endpoint's decision equals what the proxy then does with the
 * same request, over a table of cases; and explain itself never reaches the
 * upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../proxy/proxyHarness.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;
let upstream: RecordingUpstream;
let setup: Awaited<ReturnType<typeof createIntegration>>;
let port: number;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  ferry = await startTestFerry();
  setup = await createIntegration(ferry, upstream.origin, {
    targetSecret: { keyName: "api_key", keyValue: "tk_explained", in: "query" },
  });
  port = Number(new URL(ferry.proxyUrl).port);
  const rules = [
    { effect: "deny", pathPattern: "^/admin" },
    { effect: "deny", methodPattern: "DELETE" },
    {
      effect: "deny",
      headers: [{ name: "^x-tenant$", presence: "absent" }],
      pathPattern: "^/tenant/",
    },
    { effect: "deny", query: [{ name: "^debug$", value: "^1$", presence: "present" }] },
  ];
  for (const rule of rules) {
    const answer = await ferry.api(
      "POST",
      `${setup.base}/proxies/${setup.proxy.proxyId}/rules`,
      rule,
    );
    expect(answer.status).toBe(201);
  }
});
afterAll(async () => {
  await ferry?.close();
  await upstream?.close();
  await closeSharedPGlite();
});

type Case = { method: string; target: string; headers?: Record<string, string> };

const cases: Case[] = [
  { method: "GET", target: "/orders" },
  { method: "GET", target: "/admin/users" },
  { method: "GET", target: "//admin/users" },
  { method: "GET", target: "/public/../admin" },
  { method: "DELETE", target: "/orders/1" },
  { method: "GET", target: "/tenant/a" },
  { method: "GET", target: "/tenant/a", headers: { "X-Tenant": "acme" } },
  { method: "GET", target: "/items?debug=1" },
  { method: "GET", target: "/items?debug=0&page=2" },
  { method: "GET", target: "/items?de%62ug=1" },
  { method: "POST", target: "/a%2Fb" },
];

describe("explain", () => {
  it("decides as the proxy does, for every case", async () => {
    for (const c of cases) {
      const [path, query] = c.target.split("?") as [string, string | undefined];
      const explained = await ferry.api(
        "POST",
        `${setup.base}/proxies/${setup.proxy.proxyId}/explain`,
        { method: c.method, path, query, headers: c.headers ?? {} },
      );
      expect(explained.status).toBe(200);

      const before = upstream.requests.length;
      const headerLines = [
        `Authorization: Bearer ${setup.key}`,
        ...Object.entries(c.headers ?? {}).map(([n, v]) => `${n}: ${v}`),
      ];
      const proxied = await call(
        { port },
        `${c.method} /api/${setup.proxy.proxyId}${c.target}`,
        headerLines,
        c.method === "POST" ? "{}" : "",
      );
      const reached = upstream.requests.length > before;

      const expected = explained.body.decision;
      expect({ target: c.target, allowed: reached }).toEqual({
        target: c.target,
        allowed: expected.allowed,
      });
      if (!expected.allowed) expect(proxied.status).toBe(expected.status);
      if (expected.allowed) {
        expect(upstream.requests.at(-1)!.path).toBe(explained.body.canonicalPath);
        expect(explained.body.upstream.url).toContain("api_key=[REDACTED]");
        expect(explained.body.upstream.url).not.toContain("tk_explained");
      }
    }
  });

  it("shows the injected credential masked and calls nothing upstream", async () => {
    const before = upstream.requests.length;
    const explained = await ferry.api(
      "POST",
      `${setup.base}/proxies/${setup.proxy.proxyId}/explain`,
      {
        method: "get",
        path: "/orders",
      },
    );
    expect(explained.body.targetCredential.injects.query).toEqual(["api_key"]);
    expect(JSON.stringify(explained.body)).not.toContain("tk_explained");
    expect(explained.body.scopes.map((s: { scope: string }) => s.scope)).toEqual([
      "proxyCredential",
      "targetCredential",
      "proxy",
      "target",
    ]);
    expect(upstream.requests.length).toBe(before);
  });

  it("reads a query written into path, and a backslash as the server does", async () => {
    const url = `${setup.base}/proxies/${setup.proxy.proxyId}/explain`;
    const inPath = await ferry.api("POST", url, { method: "GET", path: "/items?debug=1" });
    expect(inPath.body.decision.allowed).toBe(false);
    expect(inPath.body.canonicalPath).toBe("/items");
    expect(
      (await ferry.api("POST", url, { method: "GET", path: "/x?a=1", query: "b=2" })).status,
    ).toBe(400);
    const slash = await ferry.api("POST", url, { method: "GET", path: "/admin\\x" });
    expect(slash.body.canonicalPath).toBe("/admin/x");
    expect(slash.body.decision.allowed).toBe(false);
  });

  it("answers 400 for a malformed sample and 404 for another client's proxy", async () => {
    const url = `${setup.base}/proxies/${setup.proxy.proxyId}/explain`;
    expect((await ferry.api("POST", url, { method: "GET /x" })).status).toBe(400);
    expect(
      (await ferry.api("POST", url, { method: "GET", headers: { "bad name": "x" } })).status,
    ).toBe(400);
    const other = await ferry.api("POST", "/users", { userName: "explain-other" });
    expect((await ferry.api("POST", url, { method: "GET" }, other.body.token)).status).toBe(404);
  });
});
