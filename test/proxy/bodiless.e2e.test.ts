import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  headerValues,
  startRecordingUpstream,
  type RecordingUpstream,
} from "../support/recordingUpstream.ts";
import { fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";
import { RawConnection, rawHead, responseHeader } from "./rawHttp.ts";

const MIB = 1_048_576;
let upstream: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRecordingUpstream((request) => {
    switch (request.path) {
      case "/file":
        return {
          status: 200,
          headers: [
            ["Content-Length", String(MIB)],
            ["Content-Type", "application/octet-stream"],
          ],
        };
      case "/none":
        return { status: 204, reason: "No Content", headers: [["X-Done", "1"]] };
      case "/cached":
        return headerValues(request, "if-none-match")[0] === '"v1"'
          ? { status: 304, reason: "Not Modified", headers: [["ETag", '"v1"']] }
          : { status: 200, headers: [["ETag", '"v1"']], body: "fresh" };
      default:
        return { status: 200, headers: [["Content-Type", "text/plain"]], body: "after" };
    }
  });
  proxy = await startProxy([fieldCaseRoute(upstream.origin)]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

const request = (line: string, extra: string[] = []) =>
  rawHead(`${line} HTTP/1.1`, ["Host: 127.0.0.1", "Authorization: Bearer pk_caller", ...extra]);

describe("C8: HEAD, 204 and 304 on one keep-alive connection", () => {
  it("carry no body, keep the real Content-Length on HEAD, and leave the socket clean", async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      const started = Date.now();
      const head = await connection.request(request("HEAD /api/P/file"), { head: true });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(head.status).toBe(200);
      expect(responseHeader(head, "content-length")).toEqual([String(MIB)]);
      expect(upstream.requests.at(-1)!.method).toBe("HEAD");

      const none = await connection.request(request("GET /api/P/none"));
      expect(none.status).toBe(204);
      expect(responseHeader(none, "x-done")).toEqual(["1"]);
      expect(responseHeader(none, "content-length")).toEqual([]);
      expect(responseHeader(none, "transfer-encoding")).toEqual([]);

      const cached = await connection.request(
        request("GET /api/P/cached", ['If-None-Match: "v1"']),
      );
      expect(cached.status).toBe(304);
      expect(responseHeader(cached, "etag")).toEqual(['"v1"']);
      expect(responseHeader(cached, "transfer-encoding")).toEqual([]);

      const after = await connection.request(request("GET /api/P/after"));
      expect(after.status).toBe(200);
      expect(after.body.toString()).toBe("after");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connection.leftover().length).toBe(0);
      expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "HEAD /file",
        "GET /none",
        "GET /cached",
        "GET /after",
      ]);
    } finally {
      connection.close();
    }
  });
});
