/**
 * Malformed and hostile input to every Core API endpoint answers 4xx with
 * the error envelope and writes nothing (spec §3, §7; field case C13); so
 * does hostile input to the queued API, which queues nothing (spec §5).
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";
import { fastWorkerEnv } from "../async/asyncHarness.ts";

let ferry: TestFerry;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
let setup: Awaited<ReturnType<typeof createIntegration>>;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  ferry = await startTestFerry({
    env: { ...fastWorkerEnv, FERRY_ASYNC_MAX_BODY_BYTES: "1024" },
  });
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

/** The status a proxied GET with `key` answers, once the proxy table has the change (within 2 s). */
const waitForStatus = async (url: string, key: string, wanted: number): Promise<number> => {
  let status = 0;
  for (const until = Date.now() + 2_000; Date.now() < until; await Bun.sleep(50)) {
    const answer = await fetch(url, { headers: { "x-api-key": key } });
    await answer.arrayBuffer();
    status = answer.status;
    if (status === wanted) break;
  }
  return status;
};

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
      // Postgres text cannot hold a NUL: refused wherever it appears.
      ["POST", "/clients", { clientName: "a\u0000b" }, 400],
      ["POST", `${base}/targets`, { targetName: "t", baseURL: "http://a/\u0000" }, 400],
      ["PUT", base, { labels: { "k\u0000": "v" } }, 400],
      ["GET", `${base}/requests/%00`, undefined, 400, "invalid_input"],
      ["GET", `${base}/requests/req_%00`, undefined, 400, "invalid_input"],
      ["POST", `${base}/requests/%00/replay`, undefined, 400, "invalid_input"],
      ["GET", `${base}/requests?proxyId=%00`, undefined, 400, "invalid_input"],
      ["GET", `${base}/usage?proxyId=a%00`, undefined, 400, "invalid_input"],
      ["GET", `${base}/proxies/%00/requests`, undefined, 400, "invalid_input"],
      ["GET", `${base}/credentials/%00/history`, undefined, 400, "invalid_input"],
      ["GET", `${base}/targets?targetName=%00`, undefined, 400, "invalid_input"],
      // Instants Postgres cannot read: past the year 9999, or before 0001.
      ["GET", `${base}/requests?endDate=9999-12-31T23:00:00-05:00`, undefined, 400],
      ["GET", `${base}/requests?startDate=0000-12-31`, undefined, 400],
      ["GET", `${base}/usage?startDate=9999-12-31T23:00:00-05:00`, undefined, 400],
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

  it("names the bad fields of every 400 in one shape, whichever layer refused", async () => {
    let named = 0;
    for (const [method, path, body, status] of cases()) {
      if (status !== 400) continue;
      const { details } = (await ferry.api(method, path, body)).body.error;
      // A body that is no JSON object has no field to name.
      if (details === undefined) continue;
      const shape = { method, path, details };
      expect(shape).toEqual({ method, path, details: expect.any(Array) });
      expect(details.length).toBeGreaterThan(0);
      for (const detail of details)
        expect({ method, path, detail }).toEqual({
          method,
          path,
          detail: { field: expect.any(String), message: expect.any(String) },
        });
      const fields = details.map((detail: { field: string }) => detail.field);
      expect({ method, path, fields }).toEqual({ method, path, fields: [...new Set(fields)] });
      named++;
    }
    expect(named).toBeGreaterThan(40);

    // A value that breaks two checks names its field once, with both messages.
    const huge = await ferry.api("POST", `${setup.base}/targets`, {
      targetName: "huge-timeout",
      baseURL: upstream.url,
      timeoutMs: 1e20,
    });
    expectEnvelope(huge, 400);
    expect(huge.body.error.details).toEqual([
      { field: "timeoutMs", message: "must be an integer; must be at most 300000" },
    ]);
  });

  it("refuses an instant past the year 9999 in a body, saying it must fall within 0001 to 9999", async () => {
    // Past 9999 once in UTC: its ISO string would be `+010000-…`.
    const past = "9999-12-31T23:00:00-05:00";
    const range = "must fall within the years 0001 to 9999 (UTC)";
    const oauth2 = (expiresAt: string) => ({
      credentialName: "oauth",
      credentialType: "target",
      authType: "oauth2",
      secret: { accessToken: "at_1", expiresAt },
    });
    const created = await ferry.api(
      "POST",
      `${setup.base}/credentials`,
      oauth2("9999-12-31T23:59:59.999Z"),
    );
    expect(created.status).toBe(201);
    const rotate = `${setup.base}/credentials/${created.body.credentialId}`;

    const before = await eventCount();
    const token = await ferry.api("POST", "/users/me/tokens", { tokenName: "t", expiresAt: past });
    expectEnvelope(token, 400);
    expect(token.body.error.details).toEqual([{ field: "expiresAt", message: range }]);
    for (const [method, path] of [
      ["POST", `${setup.base}/credentials`],
      ["PUT", rotate],
    ] as const) {
      const answer = await ferry.api(method, path, oauth2(past));
      expectEnvelope(answer, 400);
      expect(answer.body.error.details).toEqual([{ field: "secret.expiresAt", message: range }]);
    }
    expect(await eventCount()).toBe(before);
  });

  it("names every bad field of a credential in one answer, the secret's with the rest", async () => {
    const { base, targetCredential } = setup;
    const before = await eventCount();
    const fieldsOf = (answer: { body: any }) =>
      (answer.body.error.details as { field: string }[]).map((detail) => detail.field);

    const create = await ferry.api("POST", `${base}/credentials`, {
      credentialName: "",
      credentialType: "target",
      authType: "apiKey",
      secret: { keyValue: 42, keyName: "bad name", zzz: 1 },
    });
    expectEnvelope(create, 400);
    expect(fieldsOf(create)).toEqual([
      "credentialName",
      "secret.zzz",
      "secret.keyValue",
      "secret.keyName",
    ]);

    const rotate = await ferry.api("PUT", `${base}/credentials/${targetCredential.credentialId}`, {
      gracePeriodSeconds: -1,
      secret: { keyValue: "", keyName: "X-Api-Key" },
    });
    expectEnvelope(rotate, 400);
    expect(fieldsOf(rotate)).toEqual(["gracePeriodSeconds", "secret.keyValue"]);
    // On a change the stored types read the secret, whatever the body says of them.
    const retyped = await ferry.api("PUT", `${base}/credentials/${targetCredential.credentialId}`, {
      authType: 3,
      secret: { foo: 1, keyValue: "", keyName: "X-Api-Key" },
    });
    expectEnvelope(retyped, 400);
    expect(fieldsOf(retyped)).toEqual(["authType", "secret.foo", "secret.keyValue"]);
    expect(await eventCount()).toBe(before);
  });

  it("names gracePeriodSeconds, the field sent, when a rotation cannot keep the old secret", async () => {
    const { base, targetCredential, proxyCredential, proxy, key } = setup;
    const before = await eventCount();
    const onTarget = await ferry.api(
      "PUT",
      `${base}/credentials/${targetCredential.credentialId}`,
      {
        credentialName: "renamed by a refused change",
        defaultEffect: "deny",
        secret: { keyName: "X-Api-Key", keyValue: "tk_target_rotated" },
        gracePeriodSeconds: 60,
      },
    );
    expectEnvelope(onTarget, 422);
    expect(onTarget.body.error).toMatchObject({
      code: "grace_period_not_applicable",
      details: { field: "gracePeriodSeconds" },
    });
    const alone = await ferry.api("PUT", `${base}/credentials/${proxyCredential.credentialId}`, {
      gracePeriodSeconds: 60,
    });
    expectEnvelope(alone, 400);
    expect(alone.body.error.details).toEqual([
      { field: "gracePeriodSeconds", message: "gracePeriodSeconds needs a new secret" },
    ]);
    expect(await eventCount()).toBe(before);
    const unchanged = await ferry.api(
      "GET",
      `${base}/credentials/${targetCredential.credentialId}`,
    );
    expect(unchanged.body).toMatchObject({
      credentialName: targetCredential.credentialName,
      defaultEffect: targetCredential.defaultEffect,
      secretVersion: targetCredential.secretVersion,
    });

    // On the proxy credential the previous key keeps working meanwhile.
    const rotated = await ferry.api("PUT", `${base}/credentials/${proxyCredential.credentialId}`, {
      secret: { keyName: "X-API-Key" },
      gracePeriodSeconds: 60,
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret.keyValue as string;
    expect(fresh).not.toBe(key);
    for (const presented of [key, fresh]) {
      const answer = await waitForStatus(`${proxy.baseURL}/items`, presented, 200);
      expect({ presented, status: answer }).toEqual({ presented, status: 200 });
    }
    setup.key = fresh;
  });

  it("refuses a custom header or query parameter named __proto__ rather than dropping it", async () => {
    const custom = (secret: string) =>
      `{"credentialName":"custom","credentialType":"target","authType":"custom","secret":${secret}}`;
    const before = await eventCount();
    for (const [secret, field] of [
      ['{"headers":{"__proto__":"x"}}', "secret.headers.__proto__"],
      ['{"headers":{"X-Tenant":"t","__proto__":"x"}}', "secret.headers.__proto__"],
      ['{"headers":{"X-Tenant":"t"},"query":{"__proto__":"x"}}', "secret.query.__proto__"],
    ]) {
      const answer = await ferry.api("POST", `${setup.base}/credentials`, custom(secret!));
      expectEnvelope(answer, 400);
      expect(answer.body.error.code).toBe("invalid_secret");
      expect(answer.body.error.details).toEqual([
        { field, message: expect.stringContaining("__proto__") },
      ]);
    }
    expect(await eventCount()).toBe(before);
  });

  it("answers a body nested a hundred thousand levels deep, and keeps serving", async () => {
    const deep = `{"clientName":"deep","a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const answer = await ferry.api("POST", "/clients", deep);
    expect(answer.status).toBeLessThan(500);
    const hidden = `{"clientName":"deep","labels":{"k":${"[".repeat(50_000)}"\u0000"${"]".repeat(50_000)}}}`;
    expectEnvelope(await ferry.api("POST", "/clients", hidden), 400);
    expect((await ferry.api("GET", "/users/me")).status).toBe(200);
  });

  it("refuses a forged cursor that Postgres could not read with 400", async () => {
    const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString("base64url");
    const clientId = setup.base.split("/")[2];
    // The same shape with readable values is a cursor Ferry could have written.
    const readable = { c: clientId, t: "2026-12-04T03:46:49.180000Z", r: "req_1" };
    expect(
      (await ferry.api("GET", `${setup.base}/requests?cursor=${forged(readable)}`)).status,
    ).toBe(200);
    for (const body of [
      { c: clientId, t: "2026-12-04T03:46:49.180000Z", r: "req_\u0000" },
      { c: clientId, t: "0000-01-01T00:00:00.000000Z", r: "req_1" },
      { c: clientId, t: "2026-02-30T00:00:00.000000Z", r: "req_1" },
    ])
      for (const path of ["requests", `proxies/${setup.proxy.proxyId}/requests`]) {
        const answer = await ferry.api("GET", `${setup.base}/${path}?cursor=${forged(body)}`);
        expectEnvelope(answer, 400);
      }
  });

  it("routes on the path whatever the length of the Host the caller sends", async () => {
    const { hostname, port } = new URL(ferry.coreUrl);
    const raw = (target: string, host: string, token?: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () =>
          socket.write(
            `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n` +
              (token ? `Authorization: ${token}\r\n` : "") +
              "Connection: close\r\n\r\n",
          ),
        );
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString("latin1")));
        socket.on("end", () => resolve(text.split("\r\n")[0]!));
        socket.on("error", reject);
      });

    for (const host of ["a", "ab", "api", "a:1", "abcd", "ferry.example"]) {
      expect(await raw("/health", host), host).toBe("HTTP/1.1 200 OK");
      expect(await raw("/xxxxx/health", host), host).toBe("HTTP/1.1 404 Not Found");
      expect(await raw("/anything/users/me", host, ferry.adminToken), host).toBe(
        "HTTP/1.1 404 Not Found",
      );
    }
  });

  it("reads a bare end date on the last day there is as the whole of that day", async () => {
    for (const path of ["requests", "usage", `proxies/${setup.proxy.proxyId}/requests`]) {
      const answer = await ferry.api("GET", `${setup.base}/${path}?endDate=9999-12-31`);
      expect(answer.status).toBe(200);
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

describe("the queued API", () => {
  /** Events of queued requests: submissions, attempts, replays. */
  const asyncEvents = async () =>
    (
      await ferry.sql.query<{ stream_id: string; type: string }>(
        "select stream_id, type from ferry_events where stream_id like 'async-%' order by stream_id, stream_version",
      )
    ).rows;
  const accepted = async () =>
    (await asyncEvents()).filter((event) => event.type === "AsyncRequestAccepted").length;
  const depth = async () =>
    (await ferry.api("GET", `${setup.base}/queue`)).body.depth as Record<string, number>;

  let other: Awaited<ReturnType<typeof createIntegration>>;
  let gone: { proxyId: string; baseURL: string };
  let failedId: string;
  let otherId: string;
  let syncId: string;

  const settle = async (base: string, requestId: string, done: (body: any) => boolean) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const answer = await ferry.api("GET", `${base}/requests/${requestId}`);
      if (answer.status === 200 && done(answer.body)) return answer.body;
      if (Date.now() > until)
        throw new Error(`request ${requestId} did not settle: ${JSON.stringify(answer.body)}`);
      await Bun.sleep(25);
    }
  };
  const isFinal = (body: { status: string }) => ["completed", "failed"].includes(body.status);

  beforeAll(async () => {
    other = await createIntegration(ferry, upstream.url);
    const { base, proxyCredential, targetCredential } = setup;
    const target = await ferry.api("POST", `${base}/targets`, {
      targetName: "Gone",
      baseURL: "http://127.0.0.1:1",
      retryPolicy: { maxRetries: 0 },
    });
    expect(target.status).toBe(201);
    const proxy = await ferry.api("POST", `${base}/proxies`, {
      proxyName: "gone",
      proxyCredentialId: proxyCredential.credentialId,
      targetId: target.body.targetId,
      targetCredentialId: targetCredential.credentialId,
    });
    expect(proxy.status).toBe(201);
    gone = proxy.body;

    // A queued request that failed, one of another client, and a synchronous one that failed.
    const submitted = await fetch(`${gone.baseURL.replace("/api/", "/async/")}/x`, {
      method: "POST",
      headers: { "x-api-key": setup.key },
      body: "x",
    });
    expect(submitted.status).toBe(202);
    failedId = (await submitted.json()).requestId;
    const theirs = await fetch(`${other.proxy.baseURL.replace("/api/", "/async/")}/x`, {
      method: "POST",
      headers: { "x-api-key": other.key },
      body: "x",
    });
    expect(theirs.status).toBe(202);
    otherId = (await theirs.json()).requestId;
    const sync = await fetch(`${gone.baseURL}/x`, { headers: { "x-api-key": setup.key } });
    expect(sync.status).toBe(502);
    syncId = sync.headers.get("x-request-id")!;

    expect(await settle(setup.base, failedId, isFinal)).toMatchObject({ status: "failed" });
    await settle(other.base, otherId, isFinal);
    expect(await settle(setup.base, syncId, () => true)).toMatchObject({ status: "failed" });
  }, 60_000);

  it("refuses a replay of an unknown, foreign or synchronous request, and one by a read-only token", async () => {
    const replay = (requestId: string, token?: string) =>
      ferry.api("POST", `${setup.base}/requests/${requestId}/replay`, undefined, token);
    const before = await asyncEvents();

    const unknown = await replay("req_01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expectEnvelope(unknown, 404);
    for (const requestId of [otherId, "nonsense", "req_" + "x".repeat(2000)]) {
      const answer = await replay(requestId);
      expectEnvelope(answer, 404);
      expect(answer.body).toEqual(unknown.body);
    }
    // Its own client finds it; through this client it reads like a missing one.
    expect((await ferry.api("GET", `${other.base}/requests/${otherId}`)).status).toBe(200);
    const foreignDetail = await ferry.api("GET", `${setup.base}/requests/${otherId}`);
    expectEnvelope(foreignDetail, 404);
    expect(foreignDetail.body).toEqual(
      (await ferry.api("GET", `${setup.base}/requests/req_01ARZ3NDEKTSV4RRFFQ69G5FAV`)).body,
    );

    // A synchronous request is in the log but was never queued: nothing to replay.
    expect((await ferry.api("GET", `${setup.base}/requests/${syncId}`)).body.status).toBe("failed");
    const sync = await replay(syncId);
    expectEnvelope(sync, 422);
    expect(sync.body.error.code).toBe("request_not_queued");

    const issued = await ferry.api("POST", "/users/me/tokens", {
      tokenName: "ro-replay",
      readOnly: true,
    });
    expect(issued.status).toBe(201);
    expectEnvelope(await replay(failedId, issued.body.token), 403);
    expect((await ferry.api("GET", `${setup.base}/requests/${failedId}`)).body.status).toBe(
      "failed",
    );

    expect(await asyncEvents()).toEqual(before);
    expect(await depth()).toMatchObject({ total: 0 });
  });

  it("answers 404 to the queue of another client's proxy and 400 to a repeated proxyId", async () => {
    const queue = (query: string) => ferry.api("GET", `${setup.base}/queue?${query}`);
    expect((await queue(`proxyId=${gone.proxyId}`)).status).toBe(200);
    const missing = await queue("proxyId=prx_01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expectEnvelope(missing, 404);
    const foreign = await queue(`proxyId=${other.proxy.proxyId}`);
    expectEnvelope(foreign, 404);
    expect(foreign.body).toEqual(missing.body);
    const repeated = await queue(`proxyId=${gone.proxyId}&proxyId=${setup.proxy.proxyId}`);
    expectEnvelope(repeated, 400);
    expect(repeated.body.error.details).toEqual([expect.objectContaining({ field: "proxyId" })]);
  });

  it("refuses a bad retryPolicy on create and update with 400 naming the field", async () => {
    const { base, target } = setup;
    const bad: unknown[] = [
      { maxRetries: -1 },
      { maxRetries: 101 },
      { maxRetries: 1.5 },
      { retries: 3 },
      "fast",
      { baseDelayMs: 0 },
      { windowMs: "1000" },
      { baseDelayMs: 5000, maxDelayMs: 10 },
      [],
      3,
    ];
    for (const retryPolicy of bad) {
      for (const [method, path, body] of [
        ["POST", `${base}/targets`, { targetName: "t", baseURL: "http://h", retryPolicy }],
        ["PUT", `${base}/targets/${target.targetId}`, { retryPolicy }],
      ] as const) {
        const before = await eventCount();
        const answer = await ferry.api(method, path, body);
        expectEnvelope(answer, 400);
        const fields = (answer.body.error.details ?? []).map((d: { field: string }) => d.field);
        expect(fields.length, JSON.stringify([retryPolicy, answer.body])).toBeGreaterThan(0);
        for (const field of fields) expect(field).toMatch(/^retryPolicy(\.|$)/);
        expect(await eventCount()).toBe(before);
      }
    }
    expect((await ferry.api("GET", `${base}/targets/${target.targetId}`)).body.retryPolicy).toBe(
      null,
    );
  });

  it("queues nothing for a malformed Idempotency-Key, an oversized body, a reading method or an unknown proxy", async () => {
    const asyncURL = setup.proxy.baseURL.replace("/api/", "/async/");
    const before = await accepted();
    const submit = (url: string, init: RequestInit & { headers?: Record<string, string> }) =>
      fetch(url, {
        method: "POST",
        ...init,
        headers: { "x-api-key": setup.key, ...init.headers },
      });
    const expectError = async (response: Response, status: number, code?: string) => {
      expect(response.status).toBe(status);
      if (response.headers.get("content-type")?.includes("json") || code) {
        const body = await response.json();
        expect(typeof body.error.code).toBe("string");
        if (code) expect(body.error.code).toBe(code);
      }
    };

    for (const key of ["has space", "x".repeat(256), "tab\there", "\u00e9t\u00e9"]) {
      const answer = await submit(`${asyncURL}/hooks`, {
        headers: { "idempotency-key": key },
        body: "x",
      });
      await expectError(answer, 400, "invalid_idempotency_key");
    }

    await expectError(
      await submit(`${asyncURL}/hooks`, { body: new Uint8Array(1025) }),
      413,
      "body_too_large",
    );
    // Without a length up front, the limit holds while the body is read.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(512));
        controller.close();
      },
    });
    await expectError(await submit(`${asyncURL}/hooks`, { body: chunked }), 413, "body_too_large");
    expect((await submit(`${asyncURL}/hooks`, { body: new Uint8Array(1024) })).status).toBe(202);
    const fits = await accepted();
    expect(fits).toBe(before + 1);

    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const answer = await submit(`${asyncURL}/hooks`, { method });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST, PUT, PATCH, DELETE");
    }

    const unknown = `${setup.proxy.baseURL.replace(setup.proxy.proxyId, "prx_01ARZ3NDEKTSV4RRFFQ69G5FAV").replace("/api/", "/async/")}/hooks`;
    await expectError(await submit(unknown, { body: "x" }), 403);
    const foreign = `${other.proxy.baseURL.replace("/api/", "/async/")}/hooks`;
    await expectError(await submit(foreign, { body: "x" }), 403);

    expect(await accepted()).toBe(fits);
    // The one that fitted is delivered; nothing else is left in the queue.
    const until = Date.now() + 20_000;
    while ((await depth()).total !== 0 && Date.now() < until) await Bun.sleep(25);
    expect(await depth()).toEqual({ queued: 0, inFlight: 0, retrying: 0, total: 0 });
  });
});
