/**
 * The forward path alone against the bare `fetch` pass-through: Ferry's
 * proxy app with no store, recorder or projections behind it (see
 * `forwardServer.ts`), so that what is measured is the per-request work of
 * spec §4 steps 1 to 8. Between the two, `requiredSteps.ts` does only what
 * every forwarded request must cost on Bun (header copy, forwarding headers
 * with the peer address, a timeout, a small answer read whole), with none of
 * Ferry's code: the floor under the forward path. Besides req/s, each
 * server's CPU time per request is read from /proc: it varies less than
 * throughput on a shared machine.
 * `bun bench/forward.bench.ts`; BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONCURRENCY.
 */
import { children, runLoad, startJsonServer, type Load } from "./processes.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

/** User plus system CPU milliseconds of a process, all its threads. */
const cpuMs = async (pid: number): Promise<number> => {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

try {
  const upstream = `http://127.0.0.1:${await startJsonServer("upstream.ts")}`;
  const passthroughPort = await startJsonServer("passthrough.ts", [upstream]);
  const passthroughPid = children.at(-1)!.pid;
  const stepsPort = await startJsonServer("requiredSteps.ts", [upstream]);
  const stepsPid = children.at(-1)!.pid;
  const ferryPort = await startJsonServer("forwardServer.ts", [upstream]);
  const ferryPid = children.at(-1)!.pid;

  const servers = {
    passthrough: { pid: passthroughPid, url: `http://127.0.0.1:${passthroughPort}`, headers: {} },
    "required steps": {
      pid: stepsPid,
      url: `http://127.0.0.1:${stepsPort}/api/prx_bench`,
      headers: { authorization: "Bearer pk_bench" },
    },
    "ferry forward": {
      pid: ferryPid,
      url: `http://127.0.0.1:${ferryPort}/api/prx_bench`,
      headers: { authorization: "Bearer pk_bench" },
    },
  };
  const scenarios = [
    { name: "GET", method: "GET", bytes: 0 },
    { name: "POST 1 KiB", method: "POST", bytes: 1024 },
  ];
  console.log(
    `\nForward path alone: ${CONCURRENCY} concurrent keep-alive loops; medians of ${ROUNDS} alternating rounds of ${SECONDS} s`,
  );
  console.log(`| scenario   | server         |   req/s  | × pass-through | CPU µs/req |`);
  console.log(`|------------|----------------|----------|-------|-----------|`);
  for (const scenario of scenarios) {
    const run = async (server: (typeof servers)[keyof typeof servers], seconds: number) => {
      const before = await cpuMs(server.pid);
      const load: Load = await runLoad({
        url: `${server.url}/bench/items?page=2`,
        method: scenario.method,
        bodyBytes: scenario.bytes,
        concurrency: CONCURRENCY,
        seconds,
        headers: server.headers,
      });
      const cpu = ((await cpuMs(server.pid)) - before) * 1000;
      if (load.errors > 0) throw new Error(`${load.errors} errors`);
      return { rps: load.rps, cpuPerRequest: cpu / load.count };
    };
    for (const server of Object.values(servers)) await run(server, 2);
    const rows: Record<string, { rps: number[]; ratio: number[]; cpu: number[] }> = {};
    for (const name of Object.keys(servers)) rows[name] = { rps: [], ratio: [], cpu: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const results = [];
      for (const [name, server] of Object.entries(servers))
        results.push([name, await run(server, SECONDS)] as const);
      const base = results[0]![1];
      for (const [name, result] of results) {
        rows[name]!.rps.push(result.rps);
        rows[name]!.ratio.push(result.rps / base.rps);
        rows[name]!.cpu.push(result.cpuPerRequest);
      }
    }
    for (const [name, row] of Object.entries(rows))
      console.log(
        `| ${scenario.name.padEnd(10)} | ${name.padEnd(14)} | ${median(row.rps).toFixed(0).padStart(8)} | ${median(row.ratio).toFixed(2).padStart(5)} | ${median(row.cpu).toFixed(1).padStart(9)} |`,
      );
  }
} finally {
  for (const child of children) child.kill();
}
