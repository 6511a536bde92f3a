/**
 * What moving PGlite to a worker costs and buys, measured in one run:
 * `bun test/pglite/threadCost.bench.ts`.
 *
 * - Round trip: 1000 sequential `select 1`, in-thread and through the worker,
 *   alternating rounds, medians (with and without a schema option, which
 *   wraps each statement in a transaction).
 * - Opening: an in-memory database, in-thread and in a worker.
 * - Event-loop lag: a 1 ms interval on the main thread while 50 batches of
 *   2000 jsonb events are appended; lag is how late each tick fires.
 */
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { expectAny } from "../../core/eventStore/eventStore.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const QUERIES = 1000;
const BATCHES = 50;
const BATCH_ROWS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ??
  0;

async function roundTrip(sql: SqlClient): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < QUERIES; i++) await sql.query("SELECT 1");
  return ((performance.now() - started) * 1000) / QUERIES;
}

async function appendWithLagProbe(sql: SqlClient | null, label: string) {
  const store = sql === null ? null : createSqlEventStore(sql);
  const batch = Array.from({ length: BATCH_ROWS }, (_, n) => ({
    type: "RequestRecorded",
    data: { n, method: "GET", path: `/v1/items/${n}`, status: 200, headers: { accept: "*/*" } },
  }));

  const lags: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    lags.push(now - last - 1);
    last = now;
  }, 1);

  const started = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    // Without a store, the payload's encoding and a pause of about one append's length: the
    // lag the machine (and the encoding) causes on its own.
    if (store === null) await sleep(JSON.stringify(batch).length > 0 ? 100 : 0);
    else await store.appendToStream(`${label}-${b}`, batch, expectAny);
    // The recorder flushes on a timer: let the loop turn between batches.
    await sleep(0);
  }
  const elapsed = performance.now() - started;
  // One more tick, so that a stall at the very end is measured too.
  await sleep(2);
  clearInterval(probe);
  await store?.close();

  return {
    label,
    appendMs: Math.round(elapsed),
    ticks: lags.length,
    lagP50: median(lags).toFixed(2),
    lagP99: percentile(lags, 0.99).toFixed(1),
    lagMax: Math.max(...lags).toFixed(1),
    blockedMs: Math.round(lags.filter((lag) => lag > 5).reduce((a, b) => a + b, 0)),
  };
}

const timedOpen = async (options: Parameters<typeof openPGlite>[0]) => {
  const started = performance.now();
  const sql = await openPGlite(options);
  return { sql, ms: performance.now() - started };
};

const opened = [
  await timedOpen({ thread: "inline" }),
  await timedOpen({ thread: "inline", schema: "bench" }),
  await timedOpen({ thread: "worker" }),
  await timedOpen({ thread: "worker", schema: "bench" }),
];
console.log(`open in memory, ms: ${opened.map((o) => Math.round(o.ms)).join(", ")}`);
const [inline, inlineSchema, worker, workerSchema] = opened.map((o) => o.sql) as [
  SqlClient,
  SqlClient,
  SqlClient,
  SqlClient,
];

const perQuery: Record<string, number[]> = {
  inline: [],
  worker: [],
  inlineSchema: [],
  workerSchema: [],
};
for (let round = 0; round < ROUNDS; round++) {
  perQuery.inline!.push(await roundTrip(inline));
  perQuery.worker!.push(await roundTrip(worker));
  perQuery.inlineSchema!.push(await roundTrip(inlineSchema));
  perQuery.workerSchema!.push(await roundTrip(workerSchema));
}
console.log("µs per SELECT 1 over rounds (the minimum is the least disturbed by other load):");
console.table(
  Object.fromEntries(
    Object.entries(perQuery).map(([k, v]) => [
      k,
      { min: Math.min(...v).toFixed(1), median: median(v).toFixed(1) },
    ]),
  ),
);

await migrate(inline);
await migrate(worker);
const lag = [];
for (let round = 0; round < 2; round++) {
  lag.push(await appendWithLagProbe(null, `none${round}`));
  lag.push(await appendWithLagProbe(inline, `inline${round}`));
  lag.push(await appendWithLagProbe(worker, `worker${round}`));
}
console.log(`main-thread lag (ms) while appending ${BATCHES} × ${BATCH_ROWS} jsonb events:`);
console.table(lag);

await Promise.all(opened.map(({ sql }) => sql.close()));
