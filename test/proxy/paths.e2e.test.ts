import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { call, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";

let target: RecordingUpstream;
/** Stands in for the field case's 127.0.0.1:9002: nothing may ever connect to it. */
let bystander: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  target = await startRecordingUpstream();
  bystander = await startRecordingUpstream();
  proxy = await startProxy([
    fieldCaseRoute(target.origin),
    fieldCaseRoute(`${target.origin}/v2`, { proxyId: "PREFIXED" }),
  ]);
});

afterAll(async () => {
  await proxy.stop();
  await target.close();
  await bystander.close();
});

beforeEach(() => {
  target.requests.length = 0;
  proxy.records.length = 0;
});

describe("C2: doubled slashes", () => {
  it("never change the host", async () => {
    const host = `127.0.0.1:${bystander.port}`;
    const viaHost = await call(proxy, `GET /api/P//${host}/x`);
    const viaName = await call(proxy, "GET /api/P//evil.example/x");

    expect(viaHost.status).toBe(200);
    expect(viaName.status).toBe(200);
    expect(target.requests.map((r) => r.target)).toEqual([`/${host}/x`, "/evil.example/x"]);
    expect(bystander.connections()).toBe(0);
  });

  it("collapse, so a rule and the upstream see one path", async () => {
    for (const path of ["//secret/a", "/secret//a", "///secret/a"]) {
      await call(proxy, `GET /api/P${path}`);
    }

    expect(target.requests.map((r) => r.target)).toEqual(["/secret/a", "/secret/a", "/secret/a"]);
    expect(proxy.records.map((r) => r.path)).toEqual(["/secret/a", "/secret/a", "/secret/a"]);
  });
});

describe("a path that rules and upstream could read differently", () => {
  const refused = [
    ["an encoded slash", "/public/..%2fadmin/x", "encoded_slash"],
    ["an encoded slash after encoded dots", "/public/%2e%2e%2fadmin/x", "encoded_slash"],
    ["an encoded backslash", "/a%5Cb", "backslash"],
    ["an encoded NUL", "/a%00b", "nul"],
    ["a double-encoded traversal", "/public/%252e%252e%252fadmin/x", "ambiguous_segment"],
    ["a dot segment with a parameter", "/public/..;/admin/x", "ambiguous_segment"],
    ["a malformed escape", "/a%zz", "bad_percent_encoding"],
  ] as const;

  for (const [what, path, reason] of refused) {
    it(`answers 400 to ${what}, before any upstream call`, async () => {
      const response = await call(proxy, `GET /api/P${path}`);

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body.toString())).toMatchObject({
        error: { code: "invalid_path", details: { reason } },
      });
      expect(target.requests).toHaveLength(0);
      expect(proxy.records).toMatchObject([{ status: "denied", code: "invalid_path" }]);
    });
  }

  it("answers 400 to a fragment in the request target", async () => {
    const response = await call(proxy, "GET /api/P/x#top");

    expect(response.status).toBe(400);
    expect(target.requests).toHaveLength(0);
  });

  it("never lets a climb above the proxy root reach the upstream", async () => {
    // The server resolves these before the app sees them; whatever arrives
    // is either canonical or refused, and never leaves the proxy root.
    for (const path of ["/../x", "/%2e%2e/x", "/a/%2e%2e/%2e%2e/x", "/../../api/P/x"]) {
      const response = await call(proxy, `GET /api/P${path}`);
      if (response.status === 200) expect(target.requests.at(-1)!.target).toBe("/x");
      else expect([400, 403, 404]).toContain(response.status);
    }
    expect(target.requests.every((r) => r.target === "/x")).toBe(true);
  });

  it("forwards a raw backslash as the slash the server already made of it", async () => {
    const response = await call(proxy, "GET /api/P/a\\b");

    expect(response.status).toBe(200);
    expect(target.requests[0]!.target).toBe("/a/b");
  });
});

describe("the canonical path", () => {
  it("is what the upstream receives: dots resolved, unreserved characters decoded", async () => {
    await call(proxy, "GET /api/P/public/%2e%2e/admin/x");
    await call(proxy, "GET /api/P/%7Euser/caf%c3%a9/%41");

    expect(target.requests.map((r) => r.target)).toEqual(["/admin/x", "/~user/caf%C3%A9/A"]);
    expect(proxy.records.map((r) => r.path)).toEqual(["/admin/x", "/~user/caf%C3%A9/A"]);
  });

  it("keeps a literal percent as it is", async () => {
    await call(proxy, "GET /api/P/report%2520final");

    expect(target.requests[0]!.target).toBe("/report%2520final");
  });

  it("is the root for the proxy's own URL, with or without a slash", async () => {
    await call(proxy, "GET /api/P");
    await call(proxy, "GET /api/P/");
    await call(proxy, "GET /api/P?x=1");

    expect(target.requests.map((r) => r.target)).toEqual(["/", "/", "/?x=1"]);
  });
});

describe("a target base URL with a path prefix", () => {
  it("puts the canonical path after the prefix", async () => {
    await call(proxy, "GET /api/PREFIXED/items?page=2");
    await call(proxy, "GET /api/PREFIXED");
    await call(proxy, "GET /api/PREFIXED//evil.example/x");

    expect(target.requests.map((r) => r.target)).toEqual([
      "/v2/items?page=2",
      "/v2/",
      "/v2/evil.example/x",
    ]);
  });
});
