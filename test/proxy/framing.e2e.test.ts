/**
 * Field case C12: a request whose framing is ambiguous must not hide a second
 * one. Each variant is sent on a raw socket with the bytes of a request for
 * `/admin` where a reader that picked the other framing would find them.
 * Bun's parser refuses every one of them before the proxy sees a request;
 * these tests hold that, so a runtime upgrade that loosened it would fail
 * here rather than in production.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../core/proxy/authorize.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { CALLER_AUTH, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";
import { RawConnection, rawHead, type RawResponse } from "./rawHttp.ts";

let upstream: RecordingUpstream;
let proxy: RunningProxy;
let seenByRules: CanonicalRequest[] = [];

beforeAll(async () => {
  upstream = await startRecordingUpstream(() => ({ status: 200, body: "ok" }));
  proxy = await startProxy([fieldCaseRoute(upstream.origin)], {
    authorize: (_route, request) => {
      seenByRules.push({ ...request, headers: new Headers(request.headers) });
      return { allowed: true };
    },
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
});

const HIDDEN = rawHead("GET /api/P/admin HTTP/1.1", ["Host: 127.0.0.1", CALLER_AUTH]);
const post = (framing: string[], body: string) =>
  rawHead("POST /api/P/echo HTTP/1.1", ["Host: 127.0.0.1", CALLER_AUTH, ...framing], body);

/** An empty chunked body: a reader that takes `Content-Length` reads HIDDEN as body, and back. */
const CHUNKED_END = "0\r\n\r\n";

const variants: [name: string, raw: string][] = [
  [
    "Content-Length and Transfer-Encoding",
    post(["Content-Length: 40", "Transfer-Encoding: chunked"], CHUNKED_END + HIDDEN),
  ],
  [
    "Transfer-Encoding before Content-Length",
    post(["Transfer-Encoding: chunked", "Content-Length: 40"], CHUNKED_END + HIDDEN),
  ],
  [
    "two different Content-Length",
    post(["Content-Length: 5", `Content-Length: ${5 + HIDDEN.length}`], "hello" + HIDDEN),
  ],
  [
    "two Content-Length in one field",
    post([`Content-Length: 5, ${5 + HIDDEN.length}`], "hello" + HIDDEN),
  ],
  [
    "Transfer-Encoding in odd case beside Content-Length",
    post(["Content-Length: 40", "Transfer-Encoding: ChUnKeD"], CHUNKED_END + HIDDEN),
  ],
  [
    "Transfer-Encoding with a trailing tab beside Content-Length",
    post(["Content-Length: 40", "Transfer-Encoding: chunked\t"], CHUNKED_END + HIDDEN),
  ],
  [
    "a space before the colon of Transfer-Encoding",
    post(["Transfer-Encoding : chunked", "Content-Length: 5"], "hello" + HIDDEN),
  ],
  [
    "Transfer-Encoding sent twice beside Content-Length",
    post(
      ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked", "Content-Length: 40"],
      CHUNKED_END + HIDDEN,
    ),
  ],
  [
    "a coding list ending in chunked beside Content-Length",
    post(["Content-Length: 5", "Transfer-Encoding: gzip, chunked"], CHUNKED_END + HIDDEN),
  ],
  ["a signed Content-Length", post(["Content-Length: +5"], "hello" + HIDDEN)],
];

/** What the caller got: the first answer, and whether the connection then ended. */
async function send(raw: string): Promise<{ response: RawResponse | null; closed: boolean }> {
  const connection = await RawConnection.open(proxy.port);
  try {
    let response: RawResponse | null = null;
    try {
      response = await connection.request(raw);
    } catch {
      // Closed without an answer: checked by the caller through `response`.
    }
    // A second answer (to the hidden request) would arrive within this wait.
    for (let waited = 0; !connection.ended && waited < 500; waited += 25) await Bun.sleep(25);
    return { response, closed: connection.ended && connection.leftover().length === 0 };
  } finally {
    connection.close();
  }
}

describe("C12: ambiguous framing", () => {
  it.each(variants)("%s: 400, the connection closed, nothing forwarded", async (_name, raw) => {
    const { response, closed } = await send(raw);
    expect(response?.status).toBe(400);
    expect(closed).toBe(true);
    expect(upstream.requests).toEqual([]);
    expect(seenByRules).toEqual([]);
    expect(proxy.records).toEqual([]);
  });

  it.each([
    ["a NUL", "X-Tenant: a\u0000b"],
    ["a bare CR", "X-Tenant: a\rX-Admin: true"],
  ])("a header value holding %s: 400, nothing forwarded", async (_name, line) => {
    const { response } = await send(
      rawHead("GET /api/P/items HTTP/1.1", ["Host: 127.0.0.1", CALLER_AUTH, line]),
    );
    expect(response?.status).toBe(400);
    expect(upstream.requests).toEqual([]);
    expect(proxy.records).toEqual([]);
  });

  it("the same framing, sent plainly, passes: the refusals are for the ambiguity alone", async () => {
    const { response } = await send(post(["Content-Length: 5", "Connection: close"], "hello"));
    expect(response?.status).toBe(200);
    expect(upstream.requests.map((r) => [r.method, r.path])).toEqual([["POST", "/echo"]]);
    expect(seenByRules.map((r) => r.path)).toEqual(["/echo"]);
  });
});
