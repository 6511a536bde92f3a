import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuthorizeDecision, CanonicalRequest } from "../../core/proxy/authorize.ts";
import {
  headerValues,
  startRecordingUpstream,
  type RecordingUpstream,
} from "../support/recordingUpstream.ts";
import {
  CALLER_AUTH,
  call,
  fieldCaseRoute,
  startProxy,
  type RunningProxy,
} from "./proxyHarness.ts";
import { RawConnection, rawHead, rawRequest, responseHeader } from "./rawHttp.ts";

const CLOCK = Date.parse("2026-03-01T12:00:00.000Z");

let upstream: RecordingUpstream;
let proxy: RunningProxy;
let seenByRules: CanonicalRequest[] = [];
let decide: (request: CanonicalRequest) => AuthorizeDecision = () => ({ allowed: true });
let ids = 0;

beforeAll(async () => {
  upstream = await startRecordingUpstream((request) => ({
    status: 201,
    headers: [["Content-Type", "text/plain"]],
    body: request.bodySha256,
  }));
  proxy = await startProxy([fieldCaseRoute(upstream.origin)], {
    authorize: (_route, request) => {
      // The headers are lent for the call only: they become the upstream's next.
      seenByRules.push({ ...request, headers: new Headers(request.headers) });
      return decide(request);
    },
    now: () => CLOCK,
    newRequestId: () => `req_TEST${++ids}`,
  });
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  proxy.records.length = 0;
  seenByRules = [];
  decide = () => ({ allowed: true });
});

describe("the authorize step", () => {
  it("sees the canonical path, the query and the headers without the caller's credential", async () => {
    await call(proxy, "GET /api/P//orders/./42?Authorization=pk_caller&expand=items", [
      "X-Tenant: acme",
      "X-API-Key: pk_caller",
    ]);

    const [request] = seenByRules;
    expect(request).toMatchObject({ method: "GET", path: "/orders/42", query: "expand=items" });
    expect(request!.headers.get("x-tenant")).toBe("acme");
    expect(request!.headers.get("x-api-key")).toBe(null);
    expect(request!.headers.get("authorization")).toBe(null);
    expect(upstream.requests[0]!.target).toBe("/orders/42?expand=items");
  });

  it("runs only for an authenticated caller with a valid path", async () => {
    await call(proxy, "GET /api/P/x", ["Authorization: Bearer nope"]);
    await call(proxy, "GET /api/P/a%2Fb");

    expect(seenByRules).toEqual([]);
  });

  it("turns a denial into 403 naming the rule and scope, with no upstream call", async () => {
    decide = () => ({ allowed: false, scope: "proxy", ruleId: "rul_1", status: 403 });
    const response = await call(proxy, "DELETE /api/P/admin/users/1");

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      error: { code: "rule_denied", details: { scope: "proxy", ruleId: "rul_1" } },
    });
    expect(responseHeader(response, "requestrocket-proxy-code")).toEqual(["proxy-access-denied"]);
    expect(upstream.requests).toHaveLength(0);
    expect(proxy.records).toMatchObject([
      { status: "denied", code: "rule_denied", duration: 0, path: "/admin/users/1" },
    ]);
  });

  it("turns a limit into 429 with Retry-After", async () => {
    decide = () => ({
      allowed: false,
      scope: "proxyLimit",
      ruleId: null,
      status: 429,
      retryAfterSeconds: 17,
    });
    const response = await call(proxy, "GET /api/P/x");

    expect(response.status).toBe(429);
    expect(responseHeader(response, "retry-after")).toEqual(["17"]);
    expect(JSON.parse(response.body.toString()).error.code).toBe("rate_limited");
    expect(proxy.records).toMatchObject([{ status: "denied", code: "rate_limited" }]);
  });
});

describe("forwarding headers", () => {
  it("say who called and carry the request id the caller gets back", async () => {
    const response = await call(proxy, "GET /api/P/x", [
      CALLER_AUTH,
      "X-Request-Id: caller-chosen",
    ]);

    const seen = upstream.requests[0]!;
    expect(headerValues(seen, "x-forwarded-for")).toEqual(["127.0.0.1"]);
    expect(headerValues(seen, "x-forwarded-proto")).toEqual(["http"]);
    expect(headerValues(seen, "x-forwarded-host")).toEqual(["127.0.0.1"]);
    expect(headerValues(seen, "x-request-id")).toEqual(responseHeader(response, "x-request-id"));
    expect(headerValues(seen, "host")).toEqual([`127.0.0.1:${upstream.port}`]);
  });

  it("extend what a terminator in front already set", async () => {
    await call(proxy, "GET /api/P/x", [
      CALLER_AUTH,
      "X-Forwarded-For: 203.0.113.9",
      "X-Forwarded-Proto: https",
      "X-Forwarded-Host: api.example.com",
    ]);

    const seen = upstream.requests[0]!;
    expect(headerValues(seen, "x-forwarded-for")).toEqual(["203.0.113.9, 127.0.0.1"]);
    expect(headerValues(seen, "x-forwarded-proto")).toEqual(["https"]);
    expect(headerValues(seen, "x-forwarded-host")).toEqual(["api.example.com"]);
  });
});

describe("request bodies", () => {
  const body = randomBytes(256 * 1024);
  const sha = createHash("sha256").update(body).digest("hex");

  it("stream upstream unchanged with a Content-Length", async () => {
    const head = rawHead("POST /api/P/upload HTTP/1.1", [
      "Host: 127.0.0.1",
      CALLER_AUTH,
      "Content-Type: application/octet-stream",
      `Content-Length: ${body.length}`,
      "Connection: close",
    ]);
    const response = await rawRequest(proxy.port, Buffer.concat([Buffer.from(head), body]));

    expect(response.status).toBe(201);
    expect(response.body.toString()).toBe(sha);
    expect(headerValues(upstream.requests[0]!, "content-length")).toEqual([String(body.length)]);
    expect(proxy.records).toMatchObject([
      { requestBytes: body.length, status: "completed", responseStatus: 201 },
    ]);
  });

  it("of at most 64 KiB go upstream whole, with their declared length", async () => {
    const small = "b".repeat(1024);
    const response = await call(
      proxy,
      "POST /api/P/upload",
      [CALLER_AUTH, "Content-Type: text/plain"],
      small,
    );

    expect(response.body.toString()).toBe(createHash("sha256").update(small).digest("hex"));
    const seen = upstream.requests[0]!;
    expect(headerValues(seen, "content-length")).toEqual(["1024"]);
    expect(headerValues(seen, "transfer-encoding")).toEqual([]);
    expect(proxy.records).toMatchObject([{ requestBytes: 1024, status: "completed" }]);
  });

  it("that end short of their declared length reach no upstream and are recorded", async () => {
    const connection = await RawConnection.open(proxy.port);
    const head = rawHead("POST /api/P/upload HTTP/1.1", [
      "Host: 127.0.0.1",
      CALLER_AUTH,
      "Content-Length: 1000",
    ]);
    connection.end(Buffer.concat([Buffer.from(head), Buffer.alloc(10, 97)]));

    await expect.poll(() => proxy.records.length).toBe(1);
    connection.close();
    expect(proxy.records).toMatchObject([
      { status: "denied", code: "body_incomplete", responseStatus: null },
    ]);
    expect(upstream.requests).toEqual([]);
  });

  it("that stream and end short of their declared length are the caller's failure", async () => {
    const connection = await RawConnection.open(proxy.port);
    const head = rawHead("POST /api/P/upload HTTP/1.1", [
      "Host: 127.0.0.1",
      CALLER_AUTH,
      `Content-Length: ${body.length}`,
    ]);
    connection.end(Buffer.concat([Buffer.from(head), body.subarray(0, 100_000)]));

    await expect.poll(() => proxy.records.length).toBe(1);
    connection.close();
    expect(proxy.records).toMatchObject([
      { status: "failed", code: "body_incomplete", requestBytes: body.length },
    ]);
  });

  it("count a Content-Length sent twice with the same value once", async () => {
    await call(
      proxy,
      "POST /api/P/upload",
      [CALLER_AUTH, "Content-Length: 5", "Content-Length: 5"],
      "hello",
    );

    expect(upstream.requests[0]!.bodySha256).toBe(
      createHash("sha256").update("hello").digest("hex"),
    );
    expect(proxy.records).toMatchObject([{ requestBytes: 5, status: "completed" }]);
  });

  it("sent with GET are neither forwarded nor counted", async () => {
    await call(proxy, "GET /api/P/search", [CALLER_AUTH], "hello");

    expect(upstream.requests[0]!.bodySha256).toBe(createHash("sha256").update("").digest("hex"));
    expect(proxy.records).toMatchObject([{ requestBytes: 0, status: "completed" }]);
  });

  it("stream upstream unchanged when the caller sends them chunked", async () => {
    const chunks = [body.subarray(0, 1000), body.subarray(1000)];
    const framed = Buffer.concat(
      chunks.flatMap((chunk) => [
        Buffer.from(`${chunk.length.toString(16)}\r\n`),
        chunk,
        Buffer.from("\r\n"),
      ]),
    );
    const head = rawHead("PUT /api/P/upload HTTP/1.1", [
      "Host: 127.0.0.1",
      CALLER_AUTH,
      "Transfer-Encoding: chunked",
      "Connection: close",
    ]);
    const response = await rawRequest(
      proxy.port,
      Buffer.concat([Buffer.from(head), framed, Buffer.from("0\r\n\r\n")]),
    );

    expect(response.body.toString()).toBe(sha);
    expect(upstream.requests[0]!.bodySha256).toBe(sha);
  });
});

describe("the request record", () => {
  it("holds the outcome, the canonical path, the injected clock and id", async () => {
    const response = await call(
      proxy,
      "POST /api/P//v1/./items?page=2",
      [CALLER_AUTH, "Content-Type: text/plain"],
      "hello",
    );

    expect(responseHeader(response, "x-request-id")).toEqual([`req_TEST${ids}`]);
    expect(proxy.records).toEqual([
      {
        requestId: `req_TEST${ids}`,
        clientId: "cli_test",
        proxyId: "P",
        method: "POST",
        path: "/v1/items",
        query: "page=2",
        status: "completed",
        responseStatus: 201,
        duration: 0,
        timestamp: "2026-03-01T12:00:00.000Z",
        code: "proxy-access-granted",
        targetCredentialId: "crd_target",
        targetCredentialVersion: 1,
        requestBytes: 5,
        responseBytes: 64,
      },
    ]);
  });

  it("never holds the caller's key, wherever it came", async () => {
    await call(proxy, "GET /api/P/x?Authorization=pk_caller", ["X-API-Key: pk_caller"]);
    await call(proxy, "GET /api/P/x?authorization=pk_wrong", []);

    expect(proxy.records.map((r) => r.query)).toEqual([
      "Authorization=[REDACTED]",
      "authorization=[REDACTED]",
    ]);
    expect(JSON.stringify(proxy.records)).not.toContain("pk_");
    expect(JSON.stringify(proxy.logs)).not.toContain("pk_");
  });
});

describe("the health route", () => {
  it("answers without a proxy id or credential", async () => {
    const response = await call(proxy, "GET /health", []);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ status: "ok" });
  });

  it("answers behind a Host of any length", async () => {
    for (const host of ["a", "api", "a:1", "ferry.example"]) {
      const response = await call(proxy, "GET /health", [`Host: ${host}`]);
      expect(response.status, host).toBe(200);
    }
  });

  it("leaves other paths to a JSON 404", async () => {
    const response = await call(proxy, "GET /nothing-here", []);

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString()).error.code).toBe("not_found");
  });
});
