/**
 * The flow of the public SaaS-integration guide, unchanged but for base URLs:
 * client → proxy credential → target credential → target lookup → proxy →
 * a call through `baseURL` that reaches the upstream with the target
 * credential injected and without the caller's key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoUpstream } from "../support/echoUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;

beforeAll(async () => {
  upstream = await startEchoUpstream();
  ferry = await startTestFerry({ env: { FERRY_MAX_BODY_BYTES: String(64 * 1024) } });
});
afterAll(async () => {
  await ferry?.close();
  upstream?.stop();
  await closeSharedPGlite();
});

const headerValues = (headers: [string, string][], name: string) =>
  headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);

describe("the guide's integration flow", () => {
  it("creates every resource with the fields the guide's code reads, and proxies a call", async () => {
    const client = await ferry.api("POST", "/clients", {
      clientName: "MySaaS Integration Manager",
    });
    expect(client.status).toBe(201);
    expect(client.body.clientId).toMatch(/^cli_[0-9A-Z]{26}$/);
    expect(client.body.clientName).toBe("MySaaS Integration Manager");
    const base = `/clients/${client.body.clientId}`;

    const proxyCredential = await ferry.api("POST", `${base}/credentials`, {
      credentialName: "customer123-proxy-salesforce",
      credentialType: "proxy",
      authType: "apiKey",
      region: "us-east-1",
      secret: { keyName: "X-API-Key", keyValue: "generated-secure-key-0123456789" },
    });
    expect(proxyCredential.status).toBe(201);
    expect(proxyCredential.body.credentialId).toMatch(/^crd_/);
    expect(proxyCredential.body.secret.keyValue).toBe("generated-secure-key-0123456789");

    const targetCredential = await ferry.api("POST", `${base}/credentials`, {
      credentialName: "customer123-salesforce-target",
      credentialType: "target",
      authType: "oauth2",
      region: "us-east-1",
      secret: { accessToken: "customer-oauth-token", refreshToken: "customer-refresh-token" },
    });
    expect(targetCredential.status).toBe(201);
    expect(JSON.stringify(targetCredential.body)).not.toContain("customer-oauth-token");
    expect(JSON.stringify(targetCredential.body)).not.toContain("customer-refresh-token");

    const none = await ferry.api("GET", `${base}/targets?targetName=Salesforce`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);

    const target = await ferry.api("POST", `${base}/targets`, {
      targetName: "Salesforce",
      region: "us-east-1",
      baseURL: upstream.url,
      testPath: "/health",
    });
    expect(target.status).toBe(201);
    expect(target.body.targetId).toMatch(/^tgt_/);
    const found = await ferry.api("GET", `${base}/targets?targetName=Salesforce`);
    expect(found.body.map((t: any) => t.targetId)).toEqual([target.body.targetId]);
    expect((await ferry.api("GET", `${base}/targets?targetName=salesforce`)).body).toEqual([]);

    const proxy = await ferry.api("POST", `${base}/proxies`, {
      proxyName: "customer123-salesforce",
      region: "us-east-1",
      proxyCredentialId: proxyCredential.body.credentialId,
      targetId: target.body.targetId,
      targetCredentialId: targetCredential.body.credentialId,
      active: true,
    });
    expect(proxy.status).toBe(201);
    expect(proxy.body.proxyId).toMatch(/^prx_/);
    expect(proxy.body.baseURL).toBe(`${ferry.proxyUrl}/api/${proxy.body.proxyId}`);
    expect(proxy.body.asyncURL).toBe(`${ferry.proxyUrl}/async/${proxy.body.proxyId}`);

    const key = proxyCredential.body.secret.keyValue;
    const response = await fetch(`${proxy.body.baseURL}/api/customers?limit=5`, {
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("requestrocket-proxy-code")).toBe("proxy-access-granted");
    const seen = upstream.seen.at(-1)!;
    expect(seen.path).toBe("/api/customers");
    expect(seen.query).toBe("limit=5");
    expect(headerValues(seen.headers, "authorization")).toEqual(["Bearer customer-oauth-token"]);
    expect(JSON.stringify(seen)).not.toContain(key);

    const byHeader = await fetch(`${proxy.body.baseURL}/api/orders`, {
      method: "POST",
      headers: { "X-API-Key": key, "content-type": "application/json" },
      body: JSON.stringify({ customerId: "cust_123", amount: 99.99 }),
    });
    expect(byHeader.status).toBe(200);
    const posted = upstream.seen.at(-1)!;
    expect(posted.method).toBe("POST");
    expect(JSON.parse(posted.body)).toEqual({ customerId: "cust_123", amount: 99.99 });
    expect(headerValues(posted.headers, "x-api-key")).toEqual([]);

    const wrong = await fetch(`${proxy.body.baseURL}/api/customers`, {
      headers: { Authorization: "Bearer not-the-key-at-all-000000" },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("requestrocket-proxy-code")).toBe("proxy-access-denied");
  });

  it("refuses a proxied body above FERRY_MAX_BODY_BYTES with 413, before the upstream", async () => {
    const setup = await createIntegration(ferry, upstream.url);
    const before = upstream.seen.length;
    const big = await fetch(`${setup.proxy.baseURL}/upload`, {
      method: "POST",
      headers: { "x-api-key": setup.key },
      body: new Uint8Array(70 * 1024),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("body_too_large");
    expect(upstream.seen.length).toBe(before);
    const small = await fetch(`${setup.proxy.baseURL}/upload`, {
      method: "POST",
      headers: { "x-api-key": setup.key },
      body: new Uint8Array(1024),
    });
    expect(small.status).toBe(200);
  });

  it("forwards a webhook through the async URL and reports its delivery, as the guide does", async () => {
    const setup = await createIntegration(ferry, upstream.url);
    // The guide: "Replace /api/ with /async/ in the proxy URL".
    const asyncUrl = setup.proxy.baseURL.replace("/api/", "/async/");
    expect(asyncUrl).toBe(setup.proxy.asyncURL);
    const response = await fetch(`${asyncUrl}/webhooks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${setup.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ event: "order.created", orderId: "ord_123" }),
    });
    expect(response.status).toBe(202);
    const { requestId, status } = await response.json();
    expect(requestId).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(status).toBe("queued");

    let delivery: { status: number; body: { status: string; responseStatus: number } };
    for (;;) {
      delivery = await ferry.api("GET", `${setup.base}/requests/${requestId}`);
      if (delivery.body.status === "completed" || delivery.body.status === "failed") break;
      await Bun.sleep(50);
    }
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({ status: "completed", responseStatus: 200 });
  });

  it("answers every route under the /api prefix too", async () => {
    const created = await ferry.api("POST", "/api/clients", { clientName: "Prefixed" });
    expect(created.status).toBe(201);
    const read = await ferry.api("GET", `/api/clients/${created.body.clientId}`);
    expect(read.body).toEqual(created.body);
  });

  it("accepts the prefixed field spellings and answers with the spec's", async () => {
    const client = (await ferry.api("POST", "/clients", { clientName: "Spellings" })).body;
    const base = `/clients/${client.clientId}`;
    const credential = await ferry.api("POST", `${base}/credentials`, {
      credentialName: "spelled",
      credentialCredentialType: "target",
      credentialAuthType: "bearer",
      credentialSecret: { token: "tok_spelled_value" },
    });
    expect(credential.status).toBe(201);
    expect(credential.body.authType).toBe("bearer");
    const target = await ferry.api("POST", `${base}/targets`, {
      targetName: "spelled",
      targetBaseURL: upstream.url,
    });
    expect(target.status).toBe(201);
    expect(target.body.baseURL).toBe(upstream.url);
    expect(target.body).not.toHaveProperty("targetBaseURL");
  });

  it("ignores unknown top-level fields and does not store them", async () => {
    const created = await ferry.api("POST", "/clients", { clientName: "Extra", color: "blue" });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty("color");
    const { rows } = await ferry.sql.query<{ data: unknown }>(
      "select data from ferry_events where stream_id = $1",
      [`client-${created.body.clientId}`],
    );
    expect(JSON.stringify(rows)).not.toContain("blue");
  });
});
