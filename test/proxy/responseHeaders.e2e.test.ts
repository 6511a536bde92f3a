import { randomBytes } from "node:crypto";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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
import { responseHeader } from "./rawHttp.ts";

const COOKIES = [
  "session=abc; Path=/; HttpOnly",
  "prefs=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/",
  "tracking=; Max-Age=0",
];
const PLAIN = JSON.stringify({
  items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}` })),
});
const GZIPPED = gzipSync(PLAIN);
/** Past the size the proxy reads whole: it streams, and Bun frames it chunked. */
const LARGE = gzipSync(randomBytes(200_000));
const BROTLI = brotliCompressSync(PLAIN);

let upstream: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRecordingUpstream((request) => {
    switch (request.path) {
      case "/cookies":
        return {
          raw:
            "HTTP/1.1 401 Unauthorized\r\n" +
            COOKIES.map((c) => `Set-Cookie: ${c}\r\n`).join("") +
            'WWW-Authenticate: Basic realm="a"\r\n' +
            'WWW-Authenticate: Bearer realm="b", error="invalid_token"\r\n' +
            "Vary: Accept\r\n" +
            "Vary: Accept-Encoding\r\n" +
            "Content-Length: 2\r\n\r\nno",
        };
      case "/gzip":
        return {
          status: 200,
          headers: [
            ["Content-Type", "application/json"],
            ["Content-Encoding", "gzip"],
          ],
          body: GZIPPED,
        };
      case "/br":
        return {
          status: 200,
          headers: [
            ["Content-Type", "application/json"],
            ["Content-Encoding", "br"],
          ],
          body: BROTLI,
        };
      case "/gzip-large":
        return { status: 200, headers: [["Content-Encoding", "gzip"]], body: LARGE };
      case "/gzip-chunked":
        return {
          status: 200,
          headers: [["Content-Encoding", "gzip"]],
          chunks: [GZIPPED.subarray(0, 10), GZIPPED.subarray(10)],
        };
      default:
        return { status: 404, body: "" };
    }
  });
  proxy = await startProxy([fieldCaseRoute(upstream.origin)]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

describe("C6: repeated response headers", () => {
  it("keep every Set-Cookie as its own byte-identical line, and every other value", async () => {
    const response = await call(proxy, "GET /api/P/cookies");

    expect(response.status).toBe(401);
    expect(responseHeader(response, "set-cookie")).toEqual(COOKIES);
    const challenges = responseHeader(response, "www-authenticate").join(", ");
    expect(challenges).toContain('Basic realm="a"');
    expect(challenges).toContain('Bearer realm="b", error="invalid_token"');
    const vary = responseHeader(response, "vary").join(", ");
    expect(vary).toContain("Accept");
    expect(vary).toContain("Accept-Encoding");
    expect(response.body.toString()).toBe("no");
  });
});

describe("C7: a compressed answer", () => {
  const cases = [
    ["gzip", "/gzip", GZIPPED, (b: Buffer) => gunzipSync(b)],
    ["brotli", "/br", BROTLI, (b: Buffer) => brotliDecompressSync(b)],
  ] as const;

  for (const [name, path, compressed, decode] of cases) {
    for (const acceptEncoding of ["gzip, br", null, "identity"]) {
      it(`passes ${name} bytes with their own headers (Accept-Encoding: ${acceptEncoding ?? "none"})`, async () => {
        const headers =
          acceptEncoding === null
            ? [CALLER_AUTH]
            : [CALLER_AUTH, `Accept-Encoding: ${acceptEncoding}`];
        const response = await call(proxy, `GET /api/P${path}`, headers);

        expect(response.status).toBe(200);
        expect(responseHeader(response, "content-encoding")).toEqual([
          name === "gzip" ? "gzip" : "br",
        ]);
        expect(responseHeader(response, "content-length")).toEqual([String(compressed.length)]);
        expect(Buffer.compare(response.body, compressed)).toBe(0);
        expect(decode(response.body).toString()).toBe(PLAIN);
        // The caller's own Accept-Encoding, or none: the proxy adds no preference of its own.
        expect(headerValues(upstream.requests[0]!, "accept-encoding")).toEqual(
          acceptEncoding === null ? [] : [acceptEncoding],
        );
      });
    }
  }

  it("streams a large gzip body unchanged, its framing in agreement with its bytes", async () => {
    const response = await call(proxy, "GET /api/P/gzip-large", [
      CALLER_AUTH,
      "Accept-Encoding: gzip",
    ]);

    expect(responseHeader(response, "content-encoding")).toEqual(["gzip"]);
    expect(LARGE.length).toBeGreaterThan(64 * 1024);
    expect(Buffer.compare(response.body, LARGE)).toBe(0);
    const length = responseHeader(response, "content-length");
    if (response.chunked) expect(length).toEqual([]);
    else expect(length).toEqual([String(LARGE.length)]);
  });

  it("passes a chunked gzip body unchanged, still labelled gzip", async () => {
    const response = await call(proxy, "GET /api/P/gzip-chunked", [
      CALLER_AUTH,
      "Accept-Encoding: gzip",
    ]);

    expect(responseHeader(response, "content-encoding")).toEqual(["gzip"]);
    expect(Buffer.compare(response.body, GZIPPED)).toBe(0);
  });
});
