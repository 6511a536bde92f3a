/**
 * `npm run bench`: Ferry's proxy against a direct call to the same upstream
 * and a bare Bun `fetch` pass-through, all measured in this one run, each
 * server and the load generator in its own process. Figures are reported as
 * ratios to the pass-through, the baseline Ferry must stay near.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "bun";
import {
  children,
  freePort,
  runLoad,
  startJsonServer,
  waitForHealth,
  type Load,
} from "./processes.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_SECONDS = 2;
/*
 * After every load the machine must fall quiet before the next one starts:
 * Ferry appends its last records up to 500 ms after a load ends, and its
 * request log, which makes way for the proxy while requests arrive, catches
 * up after that. Work left over would run during the next server's
 * measurement and lower it. So each load is followed by at least SETTLE_MS,
 * then by as long as the machine's processors stay busy (above QUIET_SHARE
 * of one core over a quarter second), and that time is reported: for Ferry
 * it is how long its request log took to catch up.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 750);
const QUIET_SHARE = 0.1;
const QUIET_WINDOW_MS = 250;
const MAX_SETTLE_MS = 60_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const bun = process.execPath;
const here = import.meta.dir;

const load = async (
  url: string,
  method: string,
  bodyBytes: number,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<Settled> => {
  const result = await runLoad({
    url,
    method,
    bodyBytes,
    concurrency: CONCURRENCY,
    seconds,
    headers,
  });
  const settleStarted = performance.now();
  await Bun.sleep(SETTLE_MS);
  while (performance.now() - settleStarted < MAX_SETTLE_MS) {
    const before = await busyMs();
    await Bun.sleep(QUIET_WINDOW_MS);
    if ((await busyMs()) - before < QUIET_WINDOW_MS * QUIET_SHARE) break;
  }
  return { ...result, settleSeconds: (performance.now() - settleStarted) / 1000 };
};

/** Busy time of all processors, in milliseconds, from /proc/stat. */
const busyMs = async (): Promise<number> => {
  const line = (await Bun.file("/proc/stat").text()).split("\n")[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100;
};

/** A load, and how long the machine took to fall quiet after it. */
type Settled = Load & { settleSeconds: number };

const rssMiB = async (pid: number): Promise<number> => {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
};

const setUpFerry = async (core: string, token: string, upstream: string) => {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(core + path, {
      method: "POST",
      headers: { authorization: token, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 201)
      throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, any>;
  };
  const client = await call("/clients", { clientName: "bench" });
  const base = `/clients/${client.clientId}`;
  const proxyCredential = await call(`${base}/credentials`, {
    credentialName: "bench-caller",
    credentialType: "proxy",
    authType: "apiKey",
    secret: {},
  });
  const targetCredential = await call(`${base}/credentials`, {
    credentialName: "bench-upstream",
    credentialType: "target",
    authType: "apiKey",
    secret: { keyName: "X-Api-Key", keyValue: "tk_bench_upstream_key" },
  });
  const target = await call(`${base}/targets`, { targetName: "bench", baseURL: upstream });
  const proxy = await call(`${base}/proxies`, {
    proxyName: "bench",
    proxyCredentialId: proxyCredential.credentialId,
    targetId: target.targetId,
    targetCredentialId: targetCredential.credentialId,
    active: true,
  });
  return { baseURL: proxy.baseURL as string, key: proxyCredential.secret.keyValue as string };
};

const psql = async (url: string, statement: string) => {
  const { openPostgres } = await import("../adapters/postgres/openPostgres.ts");
  const sql = await openPostgres({ connectionString: url });
  try {
    await sql.query(statement);
  } finally {
    await sql.close();
  }
};

const format = (n: number, digits = 0) => n.toFixed(digits).padStart(8);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** A `ferry serve` child with one proxy set up in front of the upstream. */
const startFerry = async (upstream: string, env: Record<string, string>) => {
  const corePort = freePort();
  const proxyPort = freePort();
  const adminToken = `u-bench${crypto.randomUUID().replaceAll("-", "")}`;
  const child = spawn([bun, join(here, "..", "apps", "cli", "ferry.ts"), "serve"], {
    env: {
      ...process.env,
      FERRY_CORE_PORT: String(corePort),
      FERRY_PROXY_PORT: String(proxyPort),
      FERRY_ADMIN_TOKEN: adminToken,
      FERRY_LOG_LEVEL: "warn",
      ...env,
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  children.push(child);
  await waitForHealth(`http://127.0.0.1:${proxyPort}/health`);
  await waitForHealth(`http://127.0.0.1:${corePort}/health`);
  return { child, ...(await setUpFerry(`http://127.0.0.1:${corePort}`, adminToken, upstream)) };
};

try {
  const dataDir = await mkdtemp(join(tmpdir(), "ferry-bench-"));
  const upstreamPort = await startJsonServer("upstream.ts");
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const passthroughPort = await startJsonServer("passthrough.ts", [upstream]);

  const embedded = await startFerry(upstream, { DATABASE_URL: "", FERRY_DATA_DIR: dataDir });
  // With DATABASE_URL set, Ferry on server Postgres too, in a schema of its own.
  const schema = `bench_${process.pid}`;
  const postgresUrl = process.env.DATABASE_URL
    ? `${process.env.DATABASE_URL}${process.env.DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    : null;
  if (postgresUrl) await psql(process.env.DATABASE_URL!, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const onPostgres = postgresUrl
    ? await startFerry(upstream, { DATABASE_URL: postgresUrl, FERRY_DATA_DIR: dataDir })
    : null;
  const rssBefore = await rssMiB(embedded.child.pid);

  const scenarios = [
    { name: "GET", method: "GET", bytes: 0 },
    { name: "POST 1 KiB", method: "POST", bytes: 1024 },
  ];
  // The servers share two cores with the load generator, so one measurement
  // is noisy: rounds alternate between them and the median of each is
  // reported, with the ratio to the pass-through of the same round.
  const rows: string[] = [];
  for (const scenario of scenarios) {
    const targets: Record<string, { url: string; headers: Record<string, string> }> = {
      direct: { url: `${upstream}/bench/items?page=2`, headers: {} },
      passthrough: { url: `http://127.0.0.1:${passthroughPort}/bench/items?page=2`, headers: {} },
      "ferry (embedded)": {
        url: `${embedded.baseURL}/bench/items?page=2`,
        headers: { authorization: `Bearer ${embedded.key}` },
      },
    };
    if (onPostgres)
      targets["ferry (postgres)"] = {
        url: `${onPostgres.baseURL}/bench/items?page=2`,
        headers: { authorization: `Bearer ${onPostgres.key}` },
      };
    const names = Object.keys(targets);
    const rounds: Record<string, Settled[]> = Object.fromEntries(names.map((name) => [name, []]));
    const ratios: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (const { url, headers } of Object.values(targets))
      await load(url, scenario.method, scenario.bytes, WARMUP_SECONDS, headers);
    for (let round = 0; round < ROUNDS; round++) {
      const results: Record<string, Settled> = {};
      for (const [name, { url, headers }] of Object.entries(targets))
        results[name] = await load(url, scenario.method, scenario.bytes, SECONDS, headers);
      for (const name of names) {
        rounds[name]!.push(results[name]!);
        ratios[name]!.push(results[name]!.rps / results.passthrough!.rps);
      }
    }
    for (const name of names) {
      const runs = rounds[name]!;
      const errors = runs.reduce((sum, run) => sum + run.errors, 0);
      rows.push(
        `| ${scenario.name.padEnd(10)} | ${name.padEnd(16)} | ${format(median(runs.map((r) => r.rps)))} | ${format(median(ratios[name]!), 2)} | ${format(median(runs.map((r) => r.p50)), 2)} | ${format(median(runs.map((r) => r.p99)), 2)} | ${String(errors).padStart(6)} | ${format(median(runs.map((r) => r.settleSeconds)), 1)} |`,
      );
    }
  }
  const rssAfter = await rssMiB(embedded.child.pid);

  console.log(
    `\nFerry proxy benchmark: ${CONCURRENCY} concurrent keep-alive loops; medians of ${ROUNDS} alternating rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up, then a pause until the machine is quiet (at least ${SETTLE_MS / 1000} s)`,
  );
  console.log(
    `| scenario   | server           |   req/s  | × pass-through | p50 ms | p99 ms | errors | quiet after, s |`,
  );
  console.log(
    `|------------|------------------|----------|-------|--------|--------|--------|----------|`,
  );
  for (const row of rows) console.log(row);
  console.log(
    `\nFerry (embedded) RSS: ${rssBefore} MiB after setup, ${rssAfter} MiB after the load`,
  );

  for (const ferry of [embedded, onPostgres]) {
    if (!ferry) continue;
    ferry.child.kill("SIGTERM");
    await ferry.child.exited;
  }

  // Rebuild of the request log the load just filled, on the embedded store.
  const rebuild = spawn(
    [bun, join(here, "..", "apps", "cli", "ferry.ts"), "projections", "rebuild", "request_log"],
    {
      env: { ...process.env, DATABASE_URL: "", FERRY_DATA_DIR: dataDir, FERRY_LOG_LEVEL: "warn" },
      stdout: "pipe",
      stderr: "ignore",
    },
  );
  const rebuilt = (await new Response(rebuild.stdout).text()).trim().split("\n").at(-1);
  if ((await rebuild.exited) === 0 && rebuilt) {
    const report = JSON.parse(rebuilt);
    console.log(
      `request_log rebuild (embedded): ${report.records} records in ${report.seconds} s, ${report.recordsPerSecond} records/s`,
    );
  }
  if (postgresUrl) await psql(process.env.DATABASE_URL!, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await rm(dataDir, { recursive: true, force: true });
} finally {
  for (const child of children) child.kill();
}
