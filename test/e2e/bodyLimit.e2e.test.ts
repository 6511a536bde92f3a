/**
 * FERRY_MAX_BODY_BYTES holds for chunked bodies too: one over the limit is
 * answered 413 before the upstream sees anything, one under it arrives whole.
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
  ferry = await startTestFerry({ env: { FERRY_MAX_BODY_BYTES: "1000" } });
  setup = await createIntegration(ferry, upstream.origin);
  port = Number(new URL(ferry.proxyUrl).port);
});
afterAll(async () => {
  await ferry?.close();
  await upstream?.close();
  await closeSharedPGlite();
});

const chunked = (bytes: number) => {
  const body = "x".repeat(bytes);
  const chunks = body
    .match(/.{1,300}/g)!
    .map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  return chunks.join("") + "0\r\n\r\n";
};

describe("the proxy's body limit", () => {
  it("refuses a chunked body over the limit before opening an upstream connection", async () => {
    const auth = `X-API-Key: ${setup.key}`;
    const over = await call(
      { port },
      `POST /api/${setup.proxy.proxyId}/upload`,
      [auth, "Transfer-Encoding: chunked"],
      chunked(5000),
    );
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body.toString()).error.code).toBe("body_too_large");
    expect(upstream.connections()).toBe(0);

    const under = await call(
      { port },
      `POST /api/${setup.proxy.proxyId}/upload`,
      [auth, "Transfer-Encoding: chunked"],
      chunked(900),
    );
    expect(under.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.body.length).toBe(900);
  });
});
