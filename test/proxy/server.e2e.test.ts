import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxyApp } from "../../apps/proxy/createProxyApp.ts";
import type { Logger } from "../../apps/proxy/proxyDeps.ts";
import { startProxyServer } from "../../apps/proxy/startProxyServer.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { call, fieldCaseRoute, hashSecret, startProxy } from "./proxyHarness.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let upstream: RecordingUpstream;

beforeAll(async () => {
  upstream = await startRecordingUpstream(async (request) => {
    if (request.path === "/slow") await new Promise((resolve) => setTimeout(resolve, 400));
    return { status: 200, body: `done ${request.path}` };
  });
});

afterAll(async () => {
  await upstream.close();
});

describe("stopping the proxy server", () => {
  it("lets a request in flight finish, then refuses new connections", async () => {
    const app = createProxyApp({
      table: new Map([["P", fieldCaseRoute(upstream.origin)]]),
      hashSecret,
      record: () => {},
      logger: quiet,
    });
    const server = await startProxyServer({ port: 0, hostname: "127.0.0.1", app });
    const port = Number(new URL(server.url).port);

    const inFlight = call({ port }, "GET /api/P/slow");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = server.stop();
    const response = await inFlight;
    await stopped;

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("done /slow");
    await expect(call({ port }, "GET /api/P/late")).rejects.toThrow();
  });
});

describe("a request recorder that throws", () => {
  it("never breaks the answer", async () => {
    const errors: object[] = [];
    const app = createProxyApp({
      table: new Map([["P", fieldCaseRoute(upstream.origin)]]),
      hashSecret,
      record: () => {
        throw new Error("store unavailable");
      },
      logger: { ...quiet, error: (fields) => errors.push(fields) },
    });
    const server = await startProxyServer({ port: 0, hostname: "127.0.0.1", app });
    try {
      const response = await call({ port: Number(new URL(server.url).port) }, "GET /api/P/x");

      expect(response.status).toBe(200);
      expect(errors).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});

describe("a target credential that cannot be a header (C13, fail closed)", () => {
  it("answers 500 and opens no connection upstream", async () => {
    const before = upstream.connections();
    const proxy = await startProxy([
      fieldCaseRoute(upstream.origin, {
        proxyId: "CRLF",
        inject: { headers: [["X-Api-Key", "tk\r\nX-Admin: true"]], query: [] },
      }),
      fieldCaseRoute(upstream.origin, {
        proxyId: "BADNAME",
        inject: { headers: [["X-Api Key:", "tk"]], query: [] },
      }),
    ]);
    try {
      for (const id of ["CRLF", "BADNAME"]) {
        const response = await call(proxy, `GET /api/${id}/x`);
        expect(response.status).toBe(500);
        expect(JSON.parse(response.body.toString()).error.code).toBe("target_credential_invalid");
        expect(response.body.toString()).not.toContain("tk");
      }
      expect(upstream.connections()).toBe(before);
      expect(proxy.records.map((r) => r.status)).toEqual(["failed", "failed"]);
    } finally {
      await proxy.stop();
    }
  });
});

describe("the app without a listening server", () => {
  it("forwards through Elysia's own route, for app.handle", async () => {
    const app = createProxyApp({
      table: new Map([["P", fieldCaseRoute(upstream.origin)]]),
      hashSecret,
      record: () => {},
      logger: quiet,
    });
    const response = await app.handle(
      new Request("http://127.0.0.1:4001/api/P//handled?x=1", {
        headers: { authorization: "Bearer pk_caller" },
      }),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toBe("done /handled");
    expect(upstream.requests.at(-1)!.target).toBe("/handled?x=1");
  });
});
