/**
 * `npm run bench`, second part: the queued API. For a few seconds a load
 * generator submits 1 KiB POSTs to `/async/…` while the delivery worker in
 * the same `ferry serve` delivers them to a local upstream; then the queue
 * drains. Reported: accepted requests per second (each a durable append
 * before its 202), the delivery rate from the first submission to an empty
 * queue, and, as the baseline measured in the same run, the bare Bun
 * pass-through's rate for the same POST.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "bun";
import { children, freePort, runLoad, startJsonServer, waitForHealth } from "./processes.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const bun = process.execPath;
const here = import.meta.dir;

const load = (url: string, headers: Record<string, string>) =>
  runLoad({
    url,
    method: "POST",
    bodyBytes: 1024,
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    headers,
  });

const api = async (core: string, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(core + path, {
    method,
    headers: { authorization: token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>;
};

const startFerry = async (upstream: string, env: Record<string, string>) => {
  const corePort = freePort();
  const proxyPort = freePort();
  const token = `u-bench${crypto.randomUUID().replaceAll("-", "")}`;
  const child = spawn([bun, join(here, "..", "apps", "cli", "ferry.ts"), "serve"], {
    env: {
      ...process.env,
      FERRY_CORE_PORT: String(corePort),
      FERRY_PROXY_PORT: String(proxyPort),
      FERRY_ADMIN_TOKEN: token,
      FERRY_LOG_LEVEL: "warn",
      ...env,
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  children.push(child);
  const core = `http://127.0.0.1:${corePort}`;
  await waitForHealth(`${core}/health`);
  const client = await api(core, token, "POST", "/clients", { clientName: "bench" });
  const base = `/clients/${client.clientId}`;
  const caller = await api(core, token, "POST", `${base}/credentials`, {
    credentialName: "caller",
    credentialType: "proxy",
    authType: "apiKey",
  });
  const upstreamKey = await api(core, token, "POST", `${base}/credentials`, {
    credentialName: "upstream",
    credentialType: "target",
    authType: "bearer",
    secret: { token: "tk_bench" },
  });
  const target = await api(core, token, "POST", `${base}/targets`, {
    targetName: "bench",
    baseURL: upstream,
  });
  const proxy = await api(core, token, "POST", `${base}/proxies`, {
    proxyName: "bench",
    proxyCredentialId: caller.credentialId,
    targetId: target.targetId,
    targetCredentialId: upstreamKey.credentialId,
  });
  return {
    child,
    core,
    token,
    base,
    asyncURL: proxy.asyncURL as string,
    key: caller.secret.keyValue,
  };
};

const measure = async (ferry: Awaited<ReturnType<typeof startFerry>>) => {
  const started = performance.now();
  const submitted = await load(`${ferry.asyncURL}/bench/hooks`, {
    authorization: `Bearer ${ferry.key}`,
  });
  let queue: Record<string, any>;
  for (;;) {
    queue = await api(ferry.core, ferry.token, "GET", `${ferry.base}/queue`);
    if (queue.depth.total === 0) break;
    await Bun.sleep(50);
  }
  const seconds = (performance.now() - started) / 1000;
  const delivered = queue.outcomes.completed + queue.outcomes.failed;
  return { submitted, delivered, failed: queue.outcomes.failed, seconds };
};

const dataDir = await mkdtemp(join(tmpdir(), "ferry-bench-async-"));
const schema = `bench_async_${process.pid}`;
try {
  const upstream = `http://127.0.0.1:${await startJsonServer("upstream.ts")}`;
  const passthroughPort = await startJsonServer("passthrough.ts", [upstream]);
  const baseline = await load(`http://127.0.0.1:${passthroughPort}/bench/hooks`, {});

  const runs: [string, Record<string, string>][] = [
    ["embedded", { DATABASE_URL: "", FERRY_DATA_DIR: dataDir }],
  ];
  if (process.env.DATABASE_URL) {
    const { openPostgres } = await import("../adapters/postgres/openPostgres.ts");
    const admin = await openPostgres({ connectionString: process.env.DATABASE_URL });
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.close();
    const url = process.env.DATABASE_URL;
    const options = encodeURIComponent(`-c search_path=${schema}`);
    runs.push([
      "postgres",
      {
        DATABASE_URL: `${url}${url.includes("?") ? "&" : "?"}options=${options}`,
        FERRY_DATA_DIR: dataDir,
      },
    ]);
  }

  console.log(
    `\nQueued API: ${CONCURRENCY} concurrent submitters of a 1 KiB POST for ${SECONDS} s, delivered by the worker of the same process`,
  );
  console.log(
    `| store    | accepted/s | × pass-through | p50 ms | p99 ms | delivered/s | drained in s | failed |`,
  );
  console.log(
    `|----------|------------|-------|--------|--------|-------------|--------------|--------|`,
  );
  for (const [name, env] of runs) {
    const ferry = await startFerry(upstream, env);
    const result = await measure(ferry);
    const s = result.submitted;
    console.log(
      `| ${name.padEnd(8)} | ${s.rps.toFixed(0).padStart(10)} | ${(s.rps / baseline.rps).toFixed(3).padStart(5)} | ${s.p50.toFixed(2).padStart(6)} | ${s.p99.toFixed(2).padStart(6)} | ${(result.delivered / result.seconds).toFixed(0).padStart(11)} | ${result.seconds.toFixed(1).padStart(12)} | ${String(result.failed).padStart(6)} |`,
    );
    if (s.errors > 0 || result.delivered !== s.count)
      console.log(
        `  ${name}: ${s.errors} submissions not accepted; ${result.delivered} of ${s.count} delivered`,
      );
    ferry.child.kill("SIGTERM");
    await ferry.child.exited;
  }
  console.log(`pass-through baseline, same POST: ${baseline.rps.toFixed(0)} req/s`);
} finally {
  for (const child of children) child.kill();
  if (process.env.DATABASE_URL) {
    const { openPostgres } = await import("../adapters/postgres/openPostgres.ts");
    const admin = await openPostgres({ connectionString: process.env.DATABASE_URL });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
  await rm(dataDir, { recursive: true, force: true });
}
