/**
 * The forward path alone, for `forward.bench.ts`: Ferry's proxy app over a
 * one-route table in front of `argv[2]`, its records buffered and dropped
 * every 500 ms as a recorder would hand them on, and no store behind it.
 */
import { createHmac } from "node:crypto";
import type { RequestRecord } from "../core/domain/events.ts";
import { createProxyApp } from "../apps/proxy/createProxyApp.ts";
import { startProxyServer } from "../apps/proxy/startProxyServer.ts";

const upstream = process.argv[2]!;
const hashSecret = (value: string) =>
  createHmac("sha256", "ferry-forward-bench").update(value).digest("base64url");
const table = new Map([
  [
    "prx_bench",
    {
      proxyId: "prx_bench",
      clientId: "cli_bench",
      active: true,
      caller: {
        authType: "apiKey" as const,
        keyName: "X-API-Key",
        accepted: [{ hash: hashSecret("pk_bench"), validUntil: null }],
      },
      targetBaseURL: upstream,
      timeoutMs: 30_000,
      inject: { headers: [["X-Api-Key", "tk_bench_upstream_key"]], query: [] },
      targetCredentialId: "crd_bench",
      targetCredentialVersion: 1,
    },
  ],
]) as Parameters<typeof createProxyApp>[0]["table"];

let pending: RequestRecord[] = [];
setInterval(() => (pending = []), 500);
const quiet = () => undefined;
const app = createProxyApp({
  table,
  hashSecret,
  record: (record) => void pending.push(record),
  logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
});
const server = await startProxyServer({ port: 0, hostname: "127.0.0.1", app });
console.log(JSON.stringify({ port: Number(new URL(server.url).port) }));
