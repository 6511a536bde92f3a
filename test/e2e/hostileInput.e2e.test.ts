/**
 * Malformed and hostile input to every Core API endpoint answers 4xx with
 * the error envelope and writes nothing (spec §3, §7; field case C13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
let setup: Awaited<ReturnType<typeof createIntegration>>;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  ferry = await startTestFerry();
  setup = await createIntegration(ferry, upstream.url);
});
afterAll(async () => {
  await ferry?.close();
  upstream?.stop();
  await closeSharedPGlite();
});

const eventCount = async () =>
  Number(
    (await ferry.sql.query<{ n: string }>("select count(*) as n from ferry_events")).rows[0]!.n,
  );

const expectEnvelope = (answer: { status: number; body: any }, status: number) => {
  expect(answer.status).toBe(status);
  expect(typeof answer.body?.error?.code).toBe("string");
  expect(typeof answer.body?.error?.message).toBe("string");
};

const long = "x".repeat(5000);

describe("hostile bodies", () => {
  const cases = (): [string, string, unknown, number, string?][] => {
    const { base, proxyCredential, targetCredential, target, proxy } = setup;
    const crd = `${base}/credentials`;
    return [
      ["POST", "/clients", "{not json", 400, "malformed_json"],
      ["POST", "/clients", "[1,2]", 400],
      ["POST", "/clients", {}, 400, "invalid_input"],
      ["POST", "/clients", { clientName: 42 }, 400, "invalid_input"],
      ["POST", "/clients", { clientName: "   " }, 400],
      ["POST", "/clients", { clientName: long }, 400],
      ["PUT", base, { clientName: null }, 400],
      ["POST", crd, "null", 400],
      ["POST", crd, { credentialName: "a", credentialType: "other", authType: "apiKey" }, 400],
      ["POST", crd, { credentialName: "a", credentialType: "target", authType: "magic" }, 400],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "proxy",
          authType: "oauth2",
          secret: { accessToken: "t" },
        },
        400,
        "auth_type_not_allowed",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "proxy",
          authType: "apiKey",
          secret: { keyValue: "short" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyValue: "v", keyVlaue: "typo" },
        },
        400,
        "secret_fields_unknown",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyValue: "tk\r\nX-Admin: true" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "custom",
          secret: { headers: { "X-A": "v\r\n\r\nGET /x HTTP/1.1" } },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "custom",
          secret: { headers: { "X-A\r\nX-B": "v" } },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyName: "X Key", keyValue: "v" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyName: "X:Key", keyValue: "v" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        { credentialName: "a", credentialType: "target", authType: "apiKey", secret: "string" },
        400,
      ],
      ["PUT", `${crd}/${targetCredential.credentialId}`, { secret: { keyValue: 5 } }, 400],
      [
        "PUT",
        `${crd}/${targetCredential.credentialId}`,
        { authType: "bearer", secret: { token: "t" } },
        422,
        "auth_type_immutable",
      ],
      ["DELETE", `${crd}/${proxyCredential.credentialId}`, undefined, 422, "credential_in_use"],
      ["POST", "/clients", { clientName: "a\u0000b" }, 400, "invalid_input"],
      ["POST", "/clients", { clientName: "a\ud800" }, 400, "invalid_input"],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "http://h", "x\u0000": 1 }, 400],
      [
        "PUT",
        `${crd}/${targetCredential.credentialId}`,
        { credentialType: "proxy" },
        422,
        "credential_type_immutable",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyName: "Host", keyValue: "v" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "target",
          authType: "apiKey",
          secret: { keyName: "Content-Length", keyValue: "v" },
        },
        400,
        "invalid_secret",
      ],
      [
        "POST",
        crd,
        {
          credentialName: "a",
          credentialType: "proxy",
          authType: "apiKey",
          secret: { keyName: "Connection" },
        },
        400,
        "invalid_secret",
      ],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "http:///x" }, 400],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "ftp://x" }, 400],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "/relative" }, 400],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "http://user:pw@host" }, 400],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "http://host/\r\nx" }, 400],
      [
        "POST",
        `${base}/targets`,
        { targetName: "t", baseURL: "http://host", defaultEffect: "maybe" },
        400,
      ],
      ["PUT", `${base}/targets/${target.targetId}`, { timeoutMs: -1 }, 400],
      ["DELETE", `${base}/targets/${target.targetId}`, undefined, 422, "target_in_use"],
      ["POST", `${base}/proxies`, { proxyName: "p" }, 400],
      [
        "POST",
        `${base}/proxies`,
        {
          proxyName: "p",
          proxyCredentialId: targetCredential.credentialId,
          targetId: target.targetId,
          targetCredentialId: targetCredential.credentialId,
        },
        422,
      ],
      [
        "POST",
        `${base}/proxies`,
        {
          proxyName: "p",
          proxyCredentialId: "crd_nope",
          targetId: target.targetId,
          targetCredentialId: targetCredential.credentialId,
        },
        422,
      ],
      [
        "POST",
        `${base}/proxies`,
        {
          proxyName: "p",
          proxyCredentialId: proxyCredential.credentialId,
          targetId: target.targetId,
          targetCredentialId: targetCredential.credentialId,
          maxRequestsPerMinute: 0,
        },
        400,
      ],
      ["PUT", `${base}/proxies/${proxy.proxyId}`, { active: "yes" }, 400],
      [
        "PUT",
        `${base}/proxies/${proxy.proxyId}`,
        { targetCredentialId: proxyCredential.credentialId },
        422,
      ],
      ["POST", `${base}/members`, { userId: "usr_missing" }, 422],
      ["POST", `${base}/members`, { userId: 7 }, 400],
      ["POST", "/users/me/tokens", { expiresAt: "yesterday" }, 400],
      ["POST", "/users/me/tokens", { expiresAt: "2001-01-01T00:00:00Z" }, 400],
      ["POST", "/users/me/tokens", { readOnly: "true" }, 400],
      ["GET", `${base}/proxies/prx_01ARZ3NDEKTSV4RRFFQ69G5FAV`, undefined, 404],
      ["DELETE", "/users/me/tokens/tok_nope", undefined, 404],
      ["GET", "/clients/cli_nope/credentials", undefined, 404],
      ["PATCH", "/clients", {}, 404],
    ];
  };

  it("answers each with its 4xx and the error envelope, and writes no event", async () => {
    for (const [method, path, body, status, code] of cases()) {
      const before = await eventCount();
      const answer = await ferry.api(method, path, body);
      expectEnvelope(answer, status);
      if (code) expect(answer.body.error.code).toBe(code);
      expect(await eventCount()).toBe(before);
    }
  });

  it("refuses missing, malformed and revoked tokens with 401, and read-only tokens' changes with 403", async () => {
    for (const token of ["", "u-short", "Bearer nope", "u-" + "a".repeat(30), "Basic dTpw"]) {
      expectEnvelope(await ferry.api("GET", "/clients", undefined, token), 401);
    }
    const issued = await ferry.api("POST", "/users/me/tokens", { tokenName: "ro", readOnly: true });
    expect(issued.status).toBe(201);
    const readOnly = issued.body.token;
    expect((await ferry.api("GET", "/clients", undefined, `Bearer ${readOnly}`)).status).toBe(200);
    const before = await eventCount();
    expectEnvelope(await ferry.api("POST", "/clients", { clientName: "x" }, readOnly), 403);
    expect(await eventCount()).toBe(before);
    expect((await ferry.api("DELETE", `/users/me/tokens/${issued.body.tokenId}`)).status).toBe(204);
    expectEnvelope(await ferry.api("GET", "/clients", undefined, readOnly), 401);
  });

  it("answers an oversized body with 413 and keeps serving", async () => {
    const response = await fetch(`${ferry.coreUrl}/clients`, {
      method: "POST",
      headers: { authorization: ferry.adminToken, "content-type": "application/json" },
      body: JSON.stringify({ clientName: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect((await ferry.api("GET", "/clients")).status).toBe(200);
  });
});

describe("tenant isolation", () => {
  it("answers another client's resources exactly like missing ones", async () => {
    const created = await ferry.api("POST", "/users", { userName: "tenant-b" });
    expect(created.status).toBe(201);
    const b = created.body.token;
    const { base, proxyCredential, target, proxy } = setup;
    const paths = [
      base,
      `${base}/credentials`,
      `${base}/credentials/${proxyCredential.credentialId}`,
      `${base}/targets/${target.targetId}`,
      `${base}/proxies/${proxy.proxyId}`,
      `${base}/members`,
    ];
    // The same route with ids that exist nowhere: what B must not tell apart.
    const unknown = (path: string) =>
      path.replace(
        /(cli|crd|tgt|prx)_[0-9A-Z]{26}/g,
        (_id, prefix) => `${prefix}_01ARZ3NDEKTSV4RRFFQ69G5FAV`,
      );
    const before = await fetch(`${setup.proxy.baseURL}/x`, { headers: { "x-api-key": setup.key } });
    expect(before.status).toBe(200);
    for (const path of paths) {
      for (const method of ["GET", "PUT", "DELETE", "POST"]) {
        const body = method === "PUT" || method === "POST" ? { proxyName: "stolen" } : undefined;
        const answer = await ferry.api(method, path, body, b);
        const missing = await ferry.api(method, unknown(path), body, b);
        expect(answer.status).toBe(404);
        expect(answer.body).toEqual(missing.body);
      }
    }
    expect((await ferry.api("GET", "/clients", undefined, b)).body).toEqual([]);
    const after = await fetch(`${setup.proxy.baseURL}/x`, { headers: { "x-api-key": setup.key } });
    expect(after.status).toBe(200);
  });
});
