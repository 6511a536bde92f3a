import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { startRefusingUpstream, type RefusingUpstream } from "../support/refusingUpstream.ts";
import { call, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";
import { responseHeader } from "./rawHttp.ts";

const QUERY_SECRET = "tk_QUERY_SECRET";

let upstream: RecordingUpstream;
let proxy: RunningProxy;
let refusing: RefusingUpstream;
let closedPort: number;

beforeAll(async () => {
  refusing = await startRefusingUpstream();
  closedPort = refusing.port;
  upstream = await startRecordingUpstream((request) => {
    switch (request.path) {
      case "/slow":
        return { hang: true };
      case "/reset":
        return { destroy: true };
      case "/cut":
        return { raw: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", close: true };
      case "/moved":
        return {
          status: 302,
          reason: "Found",
          headers: [["Location", "http://elsewhere.example/next"]],
          body: "",
        };
      case "/broken":
        return { status: 500, reason: "Internal Server Error", body: "upstream broke" };
      case "/missing":
        return { status: 404, reason: "Not Found", body: "none" };
      case "/events":
        return {
          status: 200,
          headers: [
            ["Content-Type", "text/event-stream"],
            ["Cache-Control", "no-cache"],
          ],
          chunks: ["data: one\n\n", "data: two\n\n", "data: three\n\n"],
          chunkDelayMs: 300,
        };
      default:
        return { status: 200, body: "ok" };
    }
  });
  const inject = { headers: [], query: [["api_key", QUERY_SECRET]] as [string, string][] };
  proxy = await startProxy([
    fieldCaseRoute(upstream.origin, { timeoutMs: 400, inject }),
    fieldCaseRoute(`http://127.0.0.1:${closedPort}`, { proxyId: "DOWN", inject }),
  ]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
  await refusing.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  proxy.records.length = 0;
  proxy.logs.length = 0;
});

const errorBody = (response: { body: Buffer }) => JSON.parse(response.body.toString());

/** Nothing the proxy said or wrote about the request may hold the injected secret. */
function expectNoSecretAnywhere(response: { head: string; body: Buffer }) {
  const everything = [
    response.head,
    response.body.toString(),
    JSON.stringify(proxy.records),
    JSON.stringify(proxy.logs),
  ];
  for (const text of everything) expect(text).not.toContain(QUERY_SECRET);
}

describe("an upstream that cannot be reached", () => {
  it("answers 502 upstream_unreachable with the error body, and records a failure", async () => {
    const response = await call(proxy, "GET /api/DOWN/items?page=1");

    expect(response.status).toBe(502);
    expect(errorBody(response)).toEqual({
      error: { code: "upstream_unreachable", message: "The upstream could not be reached" },
    });
    expect(responseHeader(response, "x-request-id")).toEqual([proxy.records[0]!.requestId]);
    expect(proxy.records).toMatchObject([
      {
        status: "failed",
        responseStatus: null,
        code: "upstream_unreachable",
        query: "page=1&api_key=[REDACTED]",
      },
    ]);
    expect(proxy.logs).toMatchObject([
      {
        level: "warn",
        fields: { code: "upstream_unreachable", upstreamOrigin: `http://127.0.0.1:${closedPort}` },
      },
    ]);
    expectNoSecretAnywhere(response);
  });

  it("answers 502 when the upstream drops the connection without answering", async () => {
    const response = await call(proxy, "GET /api/P/reset");

    expect(response.status).toBe(502);
    expect(errorBody(response).error.code).toBe("upstream_unreachable");
    expectNoSecretAnywhere(response);
  });

  it("answers 502, not a cut body, when a short declared body ends early", async () => {
    const response = await call(proxy, "GET /api/P/cut");

    expect(response.status).toBe(502);
    expect(response.body.toString()).not.toContain("only part");
  });
});

describe("an upstream that does not answer in time", () => {
  it("answers 504 upstream_timeout after the route's timeout", async () => {
    const started = Date.now();
    const response = await call(proxy, "GET /api/P/slow?x=1");
    const elapsed = Date.now() - started;

    expect(response.status).toBe(504);
    expect(errorBody(response)).toEqual({
      error: { code: "upstream_timeout", message: "The upstream did not answer in time" },
    });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(3_000);
    expect(proxy.records).toMatchObject([
      { status: "failed", code: "upstream_timeout", responseStatus: null },
    ]);
    expect(proxy.records[0]!.duration).toBeGreaterThanOrEqual(390);
    expectNoSecretAnywhere(response);
  });
});

describe("what the upstream answers", () => {
  it("passes a redirect back without following it", async () => {
    const response = await call(proxy, "GET /api/P/moved");

    expect(response.status).toBe(302);
    expect(responseHeader(response, "location")).toEqual(["http://elsewhere.example/next"]);
    expect(upstream.requests).toHaveLength(1);
    expect(proxy.records).toMatchObject([{ status: "completed", responseStatus: 302 }]);
  });

  it("passes a 5xx through and records it as failed", async () => {
    const response = await call(proxy, "GET /api/P/broken");

    expect(response.status).toBe(500);
    expect(response.body.toString()).toBe("upstream broke");
    expect(responseHeader(response, "requestrocket-proxy-code")).toEqual(["proxy-access-granted"]);
    expect(proxy.records).toMatchObject([
      { status: "failed", responseStatus: 500, code: "proxy-access-granted" },
    ]);
  });

  it("passes a 4xx through and records it as completed", async () => {
    const response = await call(proxy, "GET /api/P/missing");

    expect(response.status).toBe(404);
    expect(proxy.records).toMatchObject([{ status: "completed", responseStatus: 404 }]);
  });

  it("streams server-sent events as they are written", async () => {
    const response = await fetch(`${proxy.url}/api/P/events`, {
      headers: { authorization: "Bearer pk_caller" },
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const started = Date.now();
    const arrivals: [string, number][] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      arrivals.push([new TextDecoder().decode(value), Date.now() - started]);
    }

    expect(text).toBe("data: one\n\ndata: two\n\ndata: three\n\n");
    // Each event arrives about when the upstream wrote it, not all at the end.
    const firstTwo = arrivals.find(([chunk]) => chunk.includes("two"))![1];
    const three = arrivals.find(([chunk]) => chunk.includes("three"))![1];
    expect(firstTwo).toBeLessThan(three - 150);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
  });

  it("does not let the upstream timeout cut a stream that outlives it", async () => {
    // The route's timeout is 400 ms; the stream takes about 900 ms.
    const response = await fetch(`${proxy.url}/api/P/events`, {
      headers: { authorization: "Bearer pk_caller" },
    });
    expect(await response.text()).toBe("data: one\n\ndata: two\n\ndata: three\n\n");
  });
});
