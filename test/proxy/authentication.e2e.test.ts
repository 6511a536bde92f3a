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
  hashSecret,
  startProxy,
  type RunningProxy,
} from "./proxyHarness.ts";
import { responseHeader } from "./rawHttp.ts";

const basic = (pair: string) => `Authorization: Basic ${Buffer.from(pair).toString("base64")}`;

let upstream: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  const origin = upstream.origin;
  proxy = await startProxy([
    fieldCaseRoute(origin),
    fieldCaseRoute(origin, { proxyId: "OFF", active: false }),
    fieldCaseRoute(origin, {
      proxyId: "BEARER",
      caller: {
        authType: "bearer",
        prefix: "Token",
        accepted: [{ hash: hashSecret("bt_caller"), validUntil: null }],
      },
      inject: { headers: [["Authorization", "Bearer tk_target"]], query: [] },
    }),
    fieldCaseRoute(origin, {
      proxyId: "BASIC",
      caller: {
        authType: "basicAuth",
        username: "alice",
        accepted: [{ hash: hashSecret("pw_caller"), validUntil: null }],
      },
    }),
    fieldCaseRoute(origin, {
      proxyId: "ROTATED",
      caller: {
        authType: "apiKey",
        keyName: "X-API-Key",
        accepted: [
          { hash: hashSecret("pk_new"), validUntil: null },
          { hash: hashSecret("pk_old"), validUntil: Date.now() + 60_000 },
          { hash: hashSecret("pk_expired"), validUntil: Date.now() - 1 },
        ],
      },
    }),
  ]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  proxy.records.length = 0;
});

/** What the upstream received, as one string, to search for a leaked secret. */
const everythingUpstreamSaw = () =>
  upstream.requests.map((r) => r.head + "\r\n\r\n" + r.body.toString("latin1")).join("\n");

describe("an apiKey proxy", () => {
  const granted = [
    ["the keyName header", "GET /api/P/me", ["X-API-Key: pk_caller"]],
    ["the keyName header in another case", "GET /api/P/me", ["x-api-key: pk_caller"]],
    ["Authorization raw", "GET /api/P/me", ["Authorization: pk_caller"]],
    ["Authorization Bearer", "GET /api/P/me", [CALLER_AUTH]],
    ["Basic with the key as password", "GET /api/P/me", [basic("anyone:pk_caller")]],
    ["Basic with the key as user", "GET /api/P/me", [basic("pk_caller:")]],
    ["the Authorization query parameter", "GET /api/P/me?Authorization=pk_caller", []],
    ["a Bearer query parameter", "GET /api/P/me?authorization=Bearer%20pk_caller", []],
  ] as const;

  for (const [where, line, headers] of granted) {
    it(`lets the key in from ${where} and forwards none of it`, async () => {
      const response = await call(proxy, line, [...headers]);

      expect(response.status).toBe(200);
      expect(responseHeader(response, "requestrocket-proxy-code")).toEqual([
        "proxy-access-granted",
      ]);
      expect(upstream.requests).toHaveLength(1);
      const seen = upstream.requests[0]!;
      expect(seen.target).toBe("/me");
      expect(everythingUpstreamSaw()).not.toContain("pk_caller");
      expect(headerValues(seen, "x-api-key")).toEqual(["tk_target"]);
      expect(headerValues(seen, "authorization")).toEqual([]);
    });
  }

  const refused = [
    ["a wrong key", ["Authorization: Bearer pk_wrong"]],
    ["no key at all", []],
    ["the key of another proxy", ["Authorization: Bearer bt_caller"]],
    ["a malformed Basic value", ["Authorization: Basic !!!"]],
  ] as const;

  for (const [what, headers] of refused) {
    it(`answers 403 to ${what}, without calling the upstream`, async () => {
      const response = await call(proxy, "GET /api/P/me", [...headers]);

      expect(response.status).toBe(403);
      expect(JSON.parse(response.body.toString())).toEqual({
        error: { code: "proxy_access_denied", message: "Access denied" },
      });
      expect(responseHeader(response, "requestrocket-proxy-code")).toEqual(["proxy-access-denied"]);
      expect(responseHeader(response, "x-request-id")[0]).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(upstream.requests).toHaveLength(0);
      expect(proxy.records).toMatchObject([
        { status: "denied", code: "invalid_credential", duration: 0 },
      ]);
    });
  }
});

describe("C5: the caller's credential never reaches the third party", () => {
  it("strips every copy of it, and the upstream sees exactly one injected key", async () => {
    const response = await call(proxy, "GET /api/P/me", [
      "Authorization: Bearer pk_caller",
      "authorization: Bearer pk_caller",
      "X-Api-Key: guess",
      "Proxy-Authorization: Basic eDp5",
    ]);

    expect(response.status).toBe(200);
    const seen = upstream.requests[0]!;
    expect(everythingUpstreamSaw()).not.toContain("pk_caller");
    expect(everythingUpstreamSaw()).not.toContain("guess");
    expect(headerValues(seen, "x-api-key")).toEqual(["tk_target"]);
    expect(headerValues(seen, "authorization")).toEqual([]);
    expect(headerValues(seen, "proxy-authorization")).toEqual([]);
  });

  it("strips the key sent as ?Authorization= and leaves the other parameters", async () => {
    const response = await call(proxy, "GET /api/P/me?Authorization=pk_caller&page=2", [
      "X-Api-Key: guess",
    ]);

    expect(response.status).toBe(200);
    expect(upstream.requests[0]!.target).toBe("/me?page=2");
    expect(everythingUpstreamSaw()).not.toContain("pk_caller");
    expect(headerValues(upstream.requests[0]!, "x-api-key")).toEqual(["tk_target"]);
  });

  it("with a bearer target credential, sends exactly one Authorization: Bearer", async () => {
    const response = await call(proxy, "GET /api/BEARER/me", [
      "Authorization: Token bt_caller",
      "authorization: Bearer bt_caller",
      "Proxy-Authorization: Basic eDp5",
    ]);

    expect(response.status).toBe(200);
    const seen = upstream.requests[0]!;
    expect(headerValues(seen, "authorization")).toEqual(["Bearer tk_target"]);
    expect(everythingUpstreamSaw()).not.toContain("bt_caller");
  });
});

describe("a bearer proxy", () => {
  it("takes its own prefix, Bearer, or the raw token", async () => {
    for (const value of ["Token bt_caller", "Bearer bt_caller", "bt_caller"]) {
      const response = await call(proxy, "GET /api/BEARER/x", [`Authorization: ${value}`]);
      expect(response.status).toBe(200);
    }
    expect(upstream.requests).toHaveLength(3);
  });

  it("ignores the token in an X-API-Key header", async () => {
    const response = await call(proxy, "GET /api/BEARER/x", ["X-API-Key: bt_caller"]);
    expect(response.status).toBe(403);
  });
});

describe("a basicAuth proxy", () => {
  it("takes its username and password, and forwards neither", async () => {
    const response = await call(proxy, "GET /api/BASIC/x", [basic("alice:pw_caller")]);

    expect(response.status).toBe(200);
    expect(everythingUpstreamSaw()).not.toContain(
      Buffer.from("alice:pw_caller").toString("base64"),
    );
    expect(everythingUpstreamSaw()).not.toContain("pw_caller");
  });

  it("refuses the password under another username, or alone", async () => {
    expect((await call(proxy, "GET /api/BASIC/x", [basic("bob:pw_caller")])).status).toBe(403);
    expect((await call(proxy, "GET /api/BASIC/x", ["Authorization: pw_caller"])).status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("a rotated key", () => {
  it("opens with the new key and, until validUntil, the old one", async () => {
    expect((await call(proxy, "GET /api/ROTATED/x", ["X-API-Key: pk_new"])).status).toBe(200);
    expect((await call(proxy, "GET /api/ROTATED/x", ["X-API-Key: pk_old"])).status).toBe(200);
    expect((await call(proxy, "GET /api/ROTATED/x", ["X-API-Key: pk_expired"])).status).toBe(403);
  });
});

describe("an unknown or inactive proxy", () => {
  it("answers 403 exactly as a bad key does, so ids cannot be probed", async () => {
    const unknown = await call(proxy, "GET /api/prx_NOPE/x");
    const empty = await call(proxy, "GET /api//x");
    const inactive = await call(proxy, "GET /api/OFF/x");
    const badKey = await call(proxy, "GET /api/P/x", ["Authorization: Bearer nope"]);

    for (const response of [unknown, empty, inactive]) {
      expect(response.status).toBe(403);
      expect(response.body.toString()).toBe(badKey.body.toString());
      expect(responseHeader(response, "requestrocket-proxy-code")).toEqual(["proxy-access-denied"]);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("records an inactive proxy's refusal, and nothing for an unknown id", async () => {
    await call(proxy, "GET /api/OFF/x");
    await call(proxy, "GET /api/prx_NOPE/x");

    expect(proxy.records).toMatchObject([
      { proxyId: "OFF", status: "denied", code: "proxy_inactive", responseStatus: null },
    ]);
    expect(proxy.records).toHaveLength(1);
  });
});
