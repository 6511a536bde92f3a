/**
 * A whole Ferry in the test process: real store (the process's shared PGlite
 * on a fresh schema, or server Postgres), real Core API and proxy servers on
 * ephemeral ports. `api` calls the Core API as the admin user.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { readConfig } from "../../apps/runtime/config.ts";
import { createLogger } from "../../apps/runtime/logger.ts";
import { startFerry, type RunningFerry } from "../../apps/runtime/startFerry.ts";
import { sharedPGlite } from "./stores.ts";

export type TestFerry = RunningFerry & {
  sql: SqlClient;
  adminToken: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer>;
  close(): Promise<void>;
};

export type ApiAnswer = { status: number; body: any; headers: Headers };

export const randomToken = (): string =>
  `u-${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;

export const randomMasterKey = (): string =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

export const callApi = async (
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> => {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      authorization: token,
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers };
};

export const startTestFerry = async (
  options: { sql?: SqlClient; env?: Record<string, string> } = {},
): Promise<TestFerry> => {
  const sql = options.sql ?? (await sharedPGlite());
  const dataDir = await mkdtemp(join(tmpdir(), "ferry-test-"));
  const adminToken = randomToken();
  const config = readConfig({
    FERRY_DATA_DIR: dataDir,
    FERRY_CORE_PORT: "0",
    FERRY_PROXY_PORT: "0",
    FERRY_ADMIN_TOKEN: adminToken,
    FERRY_MASTER_KEY: randomMasterKey(),
    FERRY_LOG_LEVEL: process.env.FERRY_TEST_LOG_LEVEL ?? "silent",
    ...options.env,
  });
  const running = await startFerry(config, createLogger(config.logLevel), { sql });
  return {
    ...running,
    sql,
    adminToken,
    api: (method, path, body, token = adminToken) =>
      callApi(running.coreUrl, token, method, path, body),
    close: async () => {
      await running.stop();
      await sql.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** The guide's integration flow, ready to call: client, credentials, target, proxy. */
export const createIntegration = async (
  ferry: TestFerry,
  upstreamUrl: string,
  options: {
    proxySecret?: Record<string, unknown>;
    targetAuthType?: string;
    targetSecret?: Record<string, unknown>;
    token?: string;
  } = {},
) => {
  const token = options.token ?? ferry.adminToken;
  const must = async (method: string, path: string, body: unknown) => {
    const answer = await ferry.api(method, path, body, token);
    if (answer.status !== 201)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const client = await must("POST", "/clients", { clientName: "Integration" });
  const base = `/clients/${client.clientId}`;
  const proxyCredential = await must("POST", `${base}/credentials`, {
    credentialName: "caller",
    credentialType: "proxy",
    authType: "apiKey",
    secret: options.proxySecret ?? { keyName: "X-API-Key" },
  });
  const targetCredential = await must("POST", `${base}/credentials`, {
    credentialName: "upstream",
    credentialType: "target",
    authType: options.targetAuthType ?? "apiKey",
    secret: options.targetSecret ?? { keyName: "X-Api-Key", keyValue: "tk_target" },
  });
  const target = await must("POST", `${base}/targets`, {
    targetName: "Upstream",
    baseURL: upstreamUrl,
  });
  const proxy = await must("POST", `${base}/proxies`, {
    proxyName: "integration",
    proxyCredentialId: proxyCredential.credentialId,
    targetId: target.targetId,
    targetCredentialId: targetCredential.credentialId,
    active: true,
  });
  return {
    client,
    base,
    proxyCredential,
    targetCredential,
    target,
    proxy,
    key: proxyCredential.secret.keyValue as string,
  };
};
