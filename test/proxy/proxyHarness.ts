/**
 * Starts the proxy app on 127.0.0.1 (port 0) over a hand-built proxy table,
 * with a keyed hash made from a fixed test key, and collects what it records
 * and logs, for the proxy's end-to-end tests.
 */
import { createHmac } from "node:crypto";
import type { RequestRecord } from "../../core/domain/events.ts";
import type { Authorize } from "../../core/proxy/authorize.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";
import { createProxyApp } from "../../apps/proxy/createProxyApp.ts";
import type { Logger } from "../../apps/proxy/proxyDeps.ts";
import { startProxyServer } from "../../apps/proxy/startProxyServer.ts";
import { rawHead, rawRequest, type RawResponse } from "./rawHttp.ts";

const TEST_HASH_KEY = "ferry-proxy-test-key";

export const hashSecret = (value: string): string =>
  createHmac("sha256", TEST_HASH_KEY).update(value).digest("base64url");

/** Field case setup: proxy `P`, caller key `pk_caller`, target key `X-Api-Key: tk_target`. */
export function fieldCaseRoute(
  targetBaseURL: string,
  overrides: Partial<ProxyRoute> = {},
): ProxyRoute {
  return {
    proxyId: "P",
    clientId: "cli_test",
    active: true,
    caller: {
      authType: "apiKey",
      keyName: "X-API-Key",
      accepted: [{ hash: hashSecret("pk_caller"), validUntil: null }],
    },
    targetBaseURL,
    timeoutMs: 5_000,
    inject: { headers: [["X-Api-Key", "tk_target"]], query: [] },
    targetCredentialId: "crd_target",
    targetCredentialVersion: 1,
    ...overrides,
  };
}

export type LogLine = { level: string; fields: object; message?: string };

export type RunningProxy = {
  url: string;
  port: number;
  routes: Map<string, ProxyRoute>;
  records: RequestRecord[];
  logs: LogLine[];
  stop(): Promise<void>;
};

export const CALLER_AUTH = "Authorization: Bearer pk_caller";

/**
 * One request on its own connection: `line` is `METHOD target`, sent as is;
 * `Host` and `Connection: close` are added unless `headers` name them.
 */
export function call(
  proxy: { port: number },
  line: string,
  headers: string[] = [CALLER_AUTH],
  body = "",
): Promise<RawResponse> {
  const named = (name: string) => headers.some((h) => h.toLowerCase().startsWith(`${name}:`));
  const all = [
    ...(named("host") ? [] : ["Host: 127.0.0.1"]),
    ...headers,
    ...(named("connection") ? [] : ["Connection: close"]),
    ...(body !== "" && !named("content-length") && !named("transfer-encoding")
      ? [`Content-Length: ${Buffer.byteLength(body)}`]
      : []),
  ];
  return rawRequest(proxy.port, rawHead(`${line} HTTP/1.1`, all, body), {
    head: line.startsWith("HEAD "),
  });
}

export async function startProxy(
  routes: ProxyRoute[],
  options: { authorize?: Authorize; now?: () => number; newRequestId?: () => string } = {},
): Promise<RunningProxy> {
  const table = new Map(routes.map((route) => [route.proxyId, route]));
  const records: RequestRecord[] = [];
  const logs: LogLine[] = [];
  const line =
    (level: string) =>
    (fields: object, message?: string): void => {
      logs.push({ level, fields, message });
    };
  const logger: Logger = {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  };

  const app = createProxyApp({
    table,
    hashSecret,
    record: (record) => records.push(record),
    logger,
    ...options,
  });
  const server = await startProxyServer({ port: 0, hostname: "127.0.0.1", app, drainMs: 1_000 });
  return {
    url: server.url,
    port: Number(new URL(server.url).port),
    routes: table,
    records,
    logs,
    stop: server.stop,
  };
}
