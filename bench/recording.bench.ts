/**
 * `bun bench/recording.bench.ts`: the CPU that recording costs per request,
 * apart from the proxy. Appends request records as the recorder does (one
 * batch event per proxy and interval), then lets the request log projector
 * turn them into rows, and reports the whole machine's CPU time per record
 * for each phase (the store's threads and processes included). On the
 * embedded store by default; on server Postgres when `DATABASE_URL` is set.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqlEventStore } from "../adapters/eventStore/createSqlEventStore.ts";
import { openPGlite } from "../adapters/pglite/openPGlite.ts";
import { openPostgres } from "../adapters/postgres/openPostgres.ts";
import { startRequestLogProjector } from "../adapters/requestLog/index.ts";
import { migrate } from "../adapters/sql/migrate.ts";
import type { SqlClient } from "../adapters/sql/sqlClient.ts";
import { startRequestRecorder } from "../apps/runtime/requestRecorder.ts";
import type { RequestRecord } from "../core/domain/events.ts";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 60_000);
/** Records per batch event: half a second of traffic at 6000 requests/s. */
const PER_BATCH = Number(process.env.BENCH_BATCH ?? 3_000);

/** Busy time of all CPUs, in milliseconds, from /proc/stat. */
const busyMs = async (): Promise<number> => {
  const line = (await Bun.file("/proc/stat").text()).split("\n")[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const recordAt = (n: number, started: number): RequestRecord => ({
  requestId: `req_01JBENCH${String(n).padStart(17, "0")}`,
  clientId: "cli_01JBENCHCLIENT000000000000",
  proxyId: "prx_01JBENCHPROXY0000000000000",
  method: "GET",
  path: "/bench/items",
  query: "page=2",
  timestamp: new Date(started + n).toISOString(),
  requestBytes: 0,
  status: "completed",
  responseStatus: 200,
  duration: 1.25 + (n % 7) / 3,
  code: "proxy-access-granted",
  targetCredentialId: "crd_01JBENCHTARGET00000000000",
  targetCredentialVersion: 1,
  responseBytes: 62,
});

const logger = { error: () => {}, warn: () => {}, info: () => {} } as never;

const dataDir = await mkdtemp(join(tmpdir(), "ferry-recording-"));
const schema = `bench_recording_${process.pid}`;
const onPostgres = Boolean(process.env.DATABASE_URL);
let sql: SqlClient;
if (onPostgres) {
  const admin = await openPostgres({ connectionString: process.env.DATABASE_URL! });
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await admin.close();
  sql = await openPostgres({ connectionString: process.env.DATABASE_URL!, schema });
} else sql = await openPGlite({ dataDir: join(dataDir, "store") });

try {
  await migrate(sql);
  const store = createSqlEventStore(sql);
  const count = async () =>
    (await sql.query<{ n: number }>("SELECT count(*)::integer AS n FROM ferry_request_log"))
      .rows[0]!.n;

  // Append: the recorder's batches, one flush per PER_BATCH records.
  const recorder = startRequestRecorder({
    store,
    logger,
    intervalMs: 3_600_000,
    maxBatch: PER_BATCH,
  });
  const started = Date.now();
  await sleep(500);
  const appendFrom = await busyMs();
  const appendClock = performance.now();
  for (let n = 0; n < RECORDS; n++) {
    recorder.record(recordAt(n, started));
    if ((n + 1) % PER_BATCH === 0) await recorder.flush();
  }
  await recorder.stop();
  const appendMs = (await busyMs()) - appendFrom;
  const appendWall = performance.now() - appendClock;

  // Project: from the start of the log to the last record.
  await sleep(500);
  const projectFrom = await busyMs();
  const projectClock = performance.now();
  const projector = await startRequestLogProjector({ sql });
  while ((await count()) < RECORDS) await sleep(20);
  const projectWall = performance.now() - projectClock;
  const projectMs = (await busyMs()) - projectFrom;
  await projector.close();

  const perRecord = (ms: number) => ((ms * 1000) / RECORDS).toFixed(1).padStart(6);
  console.log(
    `recording on ${onPostgres ? "postgres" : "embedded"}: ${RECORDS} records, ${PER_BATCH} per batch event`,
  );
  console.log(
    `append : ${perRecord(appendMs)} µs CPU/record (${(appendWall / 1000).toFixed(2)} s wall)`,
  );
  console.log(
    `project: ${perRecord(projectMs)} µs CPU/record (${(projectWall / 1000).toFixed(2)} s wall, polls included)`,
  );
  await store.close();
} finally {
  if (onPostgres) await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await sql.close();
  await rm(dataDir, { recursive: true, force: true });
}
