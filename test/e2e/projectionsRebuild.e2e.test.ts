/**
 * `ferry projections rebuild`: the request log rebuilt from the event log is
 * identical, row for row, to the one the live projector built, after 100,000
 * request records.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";
import type { RequestRecord } from "../../core/domain/events.ts";
import { expectAny } from "../../core/eventStore/eventStore.ts";
import { readConfig } from "../../apps/runtime/config.ts";
import { createLogger } from "../../apps/runtime/logger.ts";
import { startFerry } from "../../apps/runtime/startFerry.ts";
import { runCli } from "../support/runCli.ts";
import { randomMasterKey, randomToken } from "../support/ferry.ts";

const RECORDS = 100_000;
const BATCH = 2_500;

const record = (n: number): RequestRecord => ({
  requestId: `req_${String(n).padStart(26, "0")}`,
  clientId: "cli_01ARZ3NDEKTSV4RRFFQ69G5FAV",
  proxyId: `prx_0000000000000000000000000${n % 3}`,
  method: n % 5 === 0 ? "POST" : "GET",
  path: `/items/${n % 97}`,
  query: "",
  status: n % 11 === 0 ? "denied" : n % 7 === 0 ? "failed" : "completed",
  responseStatus: n % 11 === 0 ? null : n % 7 === 0 ? 503 : 200,
  duration: n % 11 === 0 ? 0 : (n % 50) + 0.5,
  timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString(),
  code: "proxy-access-granted",
  targetCredentialId: "crd_01ARZ3NDEKTSV4RRFFQ69G5FAV",
  targetCredentialVersion: 1,
  requestBytes: 0,
  responseBytes: 42,
});

const snapshot = async (dataDir: string) => {
  const sql = await openPGlite({ dataDir: join(dataDir, "store") });
  try {
    const { rows } = await sql.query<{ rows: string }>(
      `SELECT count(*)::text || ':' || md5(string_agg(
         request_id || '|' || client_id || '|' || proxy_id || '|' || status || '|' ||
         occurred_at::text || '|' || duration::text || '|' || coalesce(response_status::text, '-') ||
         '|' || record::text, ',' ORDER BY request_id)) AS rows
       FROM ferry_request_log`,
    );
    return rows[0]!.rows;
  } finally {
    await sql.close();
  }
};

/** A data folder of its own, and the environment the CLI needs for it. */
const dataFolder = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "ferry-rebuild-"));
  const env = {
    FERRY_DATA_DIR: dataDir,
    FERRY_MASTER_KEY: randomMasterKey(),
    FERRY_LOG_LEVEL: "silent",
  };
  return { dataDir, env };
};

/** A whole Ferry on that folder, in this process, on free ports. */
const startIn = (env: Record<string, string>) =>
  startFerry(
    readConfig({
      ...env,
      FERRY_CORE_PORT: "0",
      FERRY_PROXY_PORT: "0",
      FERRY_ADMIN_TOKEN: randomToken(),
    }),
    createLogger("silent"),
  );

describe("ferry projections rebuild", () => {
  it("rebuilds the request log identical to the live one after 100,000 records", async () => {
    const { dataDir, env } = await dataFolder();
    try {
      const running = await startIn(env);
      try {
        for (let start = 0; start < RECORDS; start += BATCH) {
          const records = Array.from({ length: BATCH }, (_, i) => record(start + i));
          await running.ferry.store.appendToStream(
            `requests-prx_live`,
            [
              {
                type: "ProxyRequestsRecorded",
                data: { proxyId: "prx_live", clientId: records[0]!.clientId, records },
              },
            ],
            expectAny,
          );
        }
        // The live projector catches up on its own.
        const deadline = Date.now() + 120_000;
        for (;;) {
          const { rows } = await running.ferry.sql.query<{ n: string }>(
            "SELECT count(*)::text AS n FROM ferry_request_log",
          );
          if (Number(rows[0]!.n) === RECORDS) break;
          if (Date.now() > deadline) throw new Error(`live projection stopped at ${rows[0]!.n}`);
          await Bun.sleep(200);
        }
      } finally {
        await running.stop();
      }
      const live = await snapshot(dataDir);
      expect(live.startsWith(`${RECORDS}:`)).toBe(true);

      // Damage the read model: only a rebuild from the log can mend it.
      const sql = await openPGlite({ dataDir: join(dataDir, "store") });
      await sql.query("DELETE FROM ferry_request_log WHERE request_id LIKE '%7'");
      await sql.query(
        "UPDATE ferry_request_log SET status = 'completed' WHERE request_id LIKE '%11'",
      );
      await sql.close();
      expect(await snapshot(dataDir)).not.toBe(live);

      const rebuilt = await runCli(["projections", "rebuild", "request_log"], env);
      expect(rebuilt.code).toBe(0);
      const report = JSON.parse(rebuilt.stdout.trim().split("\n").at(-1)!);
      expect(report).toMatchObject({ projection: "request_log", records: RECORDS });
      expect(rebuilt.stderr).toContain("records/s");
      expect(await snapshot(dataDir)).toBe(live);

      const unknown = await runCli(["projections", "rebuild", "nonsense"], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("no projection nonsense");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it("ends once the log is read, when some records make no row", async () => {
    const { dataDir, env } = await dataFolder();
    try {
      const running = await startIn(env);
      const good = Array.from({ length: 50 }, (_, n) => record(n));
      // One record without an id, one id seen twice: 52 records, 50 rows.
      const batches = [good.slice(0, 25), [...good.slice(25), { requestId: "" }, good[0]]];
      try {
        for (const records of batches)
          await running.ferry.store.appendToStream(
            "requests-prx_live",
            [
              {
                type: "ProxyRequestsRecorded",
                data: { proxyId: "prx_live", clientId: good[0]!.clientId, records },
              },
            ],
            expectAny,
          );
      } finally {
        await running.stop();
      }

      const started = Date.now();
      const rebuilt = await runCli(["projections", "rebuild", "request_log"], env);
      expect(rebuilt.code).toBe(0);
      const report = JSON.parse(rebuilt.stdout.trim().split("\n").at(-1)!);
      expect(report).toMatchObject({ projection: "request_log", records: 50 });
      // Waiting for 52 rows would end only when the wait for progress gives up.
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
