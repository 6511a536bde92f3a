import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  headerValues,
  startRecordingUpstream,
  type RecordingUpstream,
} from "../support/recordingUpstream.ts";
import { fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";
import { RawConnection, rawHead, responseHeader } from "./rawHttp.ts";

let upstream: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRecordingUpstream((request) =>
    request.path === "/echo"
      ? {
          status: 200,
          headers: [
            ["Connection", "close, X-Trace"],
            ["X-Trace", "1"],
            ["Keep-Alive", "timeout=1"],
            ["Proxy-Authenticate", "Basic"],
            ["Content-Type", "text/plain"],
          ],
          chunks: ["wor", "ld"],
          close: true,
        }
      : { status: 200, headers: [["Content-Type", "text/plain"]], body: "second" },
  );
  proxy = await startProxy([fieldCaseRoute(upstream.origin)]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

describe("C4: connection-scoped headers", () => {
  it("cross in neither direction, bodies stay framed, and the connection stays usable", async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      const first = await connection.request(
        rawHead(
          "POST /api/P/echo HTTP/1.1",
          [
            "Host: 127.0.0.1",
            "Authorization: Bearer pk_caller",
            "Connection: keep-alive, X-Hop",
            "X-Hop: 1",
            "Keep-Alive: timeout=5",
            "TE: trailers",
            "Upgrade: h2c",
            "Proxy-Authorization: Basic eDp5",
            "Transfer-Encoding: chunked",
          ],
          "5\r\nhello\r\n0\r\n\r\n",
        ),
      );

      const seen = upstream.requests[0]!;
      expect(seen.body.toString()).toBe("hello");
      for (const name of ["x-hop", "keep-alive", "te", "upgrade", "proxy-authorization"]) {
        expect(headerValues(seen, name)).toEqual([]);
      }
      // The only Connection the upstream sees is the proxy's own, for its own hop.
      expect(headerValues(seen, "connection").join(",").toLowerCase()).not.toContain("x-hop");

      expect(first.status).toBe(200);
      expect(first.body.toString()).toBe("world");
      for (const name of ["x-trace", "keep-alive", "proxy-authenticate"]) {
        expect(responseHeader(first, name)).toEqual([]);
      }
      expect(responseHeader(first, "connection").join(",").toLowerCase()).not.toContain("close");
      expect(responseHeader(first, "connection").join(",").toLowerCase()).not.toContain("x-trace");

      const second = await connection.request(
        rawHead("GET /api/P/again HTTP/1.1", [
          "Host: 127.0.0.1",
          "Authorization: Bearer pk_caller",
        ]),
      );
      expect(second.status).toBe(200);
      expect(second.body.toString()).toBe("second");
      expect(connection.leftover().length).toBe(0);
      expect(upstream.requests.map((r) => r.path)).toEqual(["/echo", "/again"]);
    } finally {
      connection.close();
    }
  });

  it("drops a header that the caller's Connection names, whatever it is called", async () => {
    upstream.requests.length = 0;
    const connection = await RawConnection.open(proxy.port);
    try {
      await connection.request(
        rawHead("GET /api/P/again HTTP/1.1", [
          "Host: 127.0.0.1",
          "Authorization: Bearer pk_caller",
          "Connection: X-Custom-Session",
          "X-Custom-Session: abc",
          "X-Kept: yes",
        ]),
      );
    } finally {
      connection.close();
    }
    const seen = upstream.requests[0]!;
    expect(headerValues(seen, "x-custom-session")).toEqual([]);
    expect(headerValues(seen, "x-kept")).toEqual(["yes"]);
  });
});
