/**
 * No secret value ever reaches the store in plaintext: every secret this
 * test creates, in clear and in the encodings it could leak in, is searched
 * for in the raw rows of every table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inflatedEventData } from "../support/rawRows.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;

beforeAll(async () => {
  ferry = await startTestFerry();
});
afterAll(async () => {
  await ferry?.close();
  await closeSharedPGlite();
});

const encodings = (secret: string) => [
  secret,
  Buffer.from(secret).toString("base64"),
  Buffer.from(secret).toString("base64url"),
  Buffer.from(secret).toString("hex"),
  encodeURIComponent(secret),
];

const rawRows = async (): Promise<string> => {
  const tables = await ferry.sql.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = current_schema()",
  );
  let text = "";
  for (const { name } of tables.rows) {
    const { rows } = await ferry.sql.query(`select * from "${name}"`);
    text += JSON.stringify(rows, (_key, value) =>
      typeof value === "bigint"
        ? String(value)
        : value instanceof Uint8Array
          ? Buffer.from(value).toString("latin1")
          : value,
    );
  }
  return text + (await inflatedEventData(ferry.sql)).join("\n");
};

describe("secrets at rest", () => {
  it("keeps every created and rotated secret out of every table", async () => {
    const client = (await ferry.api("POST", "/clients", { clientName: "Vault" })).body;
    const base = `/clients/${client.clientId}/credentials`;
    const secrets = [
      "pk_SECRET_proxy_key_0001",
      "pw_SECRET_proxy_password",
      "bt_SECRET_proxy_bearer_0001",
      "tk_SECRET_target_key",
      "bt_SECRET_target_bearer",
      "pw_SECRET_target_password",
      "at_SECRET_oauth_access",
      "rt_SECRET_oauth_refresh",
      "cs_SECRET_oauth_client_secret",
      "hv_SECRET_custom_header",
      "qv_SECRET_custom_query",
      "tk_SECRET_rotated_key",
    ];
    const bodies = [
      { credentialType: "proxy", authType: "apiKey", secret: { keyValue: secrets[0] } },
      {
        credentialType: "proxy",
        authType: "basicAuth",
        secret: { username: "caller", password: secrets[1] },
      },
      { credentialType: "proxy", authType: "bearer", secret: { token: secrets[2] } },
      {
        credentialType: "target",
        authType: "apiKey",
        secret: { keyValue: secrets[3], in: "query", keyName: "api_key" },
      },
      { credentialType: "target", authType: "bearer", secret: { token: secrets[4] } },
      {
        credentialType: "target",
        authType: "basicAuth",
        secret: { username: "svc", password: secrets[5] },
      },
      {
        credentialType: "target",
        authType: "oauth2",
        secret: {
          accessToken: secrets[6],
          refreshToken: secrets[7],
          clientSecret: secrets[8],
          clientId: "app",
        },
      },
      {
        credentialType: "target",
        authType: "custom",
        secret: { headers: { "X-Tenant": secrets[9] }, query: { sig: secrets[10] } },
      },
    ];
    const ids: string[] = [];
    for (const [index, body] of bodies.entries()) {
      const answer = await ferry.api("POST", base, { credentialName: `c${index}`, ...body });
      expect(answer.status).toBe(201);
      ids.push(answer.body.credentialId);
    }
    const generated = await ferry.api("POST", base, {
      credentialName: "generated",
      credentialType: "proxy",
      authType: "apiKey",
    });
    expect(generated.body.secret.keyValue).toMatch(/^fk_/);
    secrets.push(generated.body.secret.keyValue);

    const rotated = await ferry.api("PUT", `${base}/${ids[3]}`, {
      secret: { keyValue: secrets[11], in: "query", keyName: "api_key" },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secretVersion).toBe(2);

    const raw = await rawRows();
    expect(raw).toContain("CredentialSecretRotated");
    for (const secret of secrets)
      for (const form of encodings(secret)) expect(raw).not.toContain(form);
    const basic = Buffer.from(`svc:${secrets[5]}`).toString("base64");
    expect(raw).not.toContain(basic);

    for (const id of ids) {
      const read = await ferry.api("GET", `${base}/${id}`);
      for (const secret of secrets) expect(JSON.stringify(read.body)).not.toContain(secret);
      expect(read.body.secret.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    }
  });
});
