/**
 * Retention of request records: batch events recorded before the cutoff go
 * with exactly their request log rows; configuration history and newer
 * requests stay; a rebuild from what is left gives the rows that are left.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import {
  countRecords,
  pruneRequests,
  rebuildRequestLog,
  startRequestLogProjector,
  type RequestLogProjector,
} from "../../adapters/requestLog/index.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { expectNoStream, type EventStore } from "../../core/eventStore/eventStore.ts";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { appendBatch, countRows, recordOf, waitForRows } from "./records.ts";

let sql: SqlClient;
let store: EventStore;
let projector: RequestLogProjector;

beforeEach(async () => {
  sql = await sharedPGlite();
  await migrate(sql);
  store = createSqlEventStore(sql, { retryMs: 50 });
  projector = await startRequestLogProjector({ sql });
});
afterEach(async () => {
  await projector.close();
  await store.close();
  await sql.close();
});
afterAll(() => closeSharedPGlite());

const ids = async () =>
  (
    await sql.query<{ id: string }>(
      "SELECT request_id AS id FROM ferry_request_log ORDER BY request_id",
    )
  ).rows.map((row) => row.id);

describe("request record retention", () => {
  it("removes old batches and their rows, and nothing else", async () => {
    await store.appendToStream(
      "client-cli_A",
      [{ type: "ClientCreated", data: { clientId: "cli_A" } }],
      expectNoStream,
    );
    const old = [recordOf(), recordOf(), recordOf()];
    const fresh = [recordOf(), recordOf()];
    await appendBatch(store, old);
    await appendBatch(store, fresh);
    await waitForRows(sql, 5);

    // Age the first batch and the configuration event by a year.
    await sql.query(
      `UPDATE ferry_events SET recorded_at = recorded_at - interval '365 days'
       WHERE type = 'ClientCreated' OR data->'records'->0->>'requestId' = $1`,
      [old[0]!.requestId],
    );
    const cutoff = new Date(Date.now() - 90 * 86_400_000);

    expect(await pruneRequests(sql, cutoff)).toEqual({ events: 1, rows: 3 });
    expect(await ids()).toEqual(fresh.map((r) => r.requestId).sort());
    const { rows } = await sql.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM ferry_events WHERE type = 'ClientCreated'",
    );
    expect(rows[0]!.n).toBe("1");
    expect(await pruneRequests(sql, cutoff)).toEqual({ events: 0, rows: 0 });

    // As `ferry projections rebuild` does: reset, then a projector from the start.
    await projector.close();
    await rebuildRequestLog(sql);
    projector = await startRequestLogProjector({ sql });
    await waitForRows(sql, 2);
    expect(await countRows(sql)).toBe(2);
    expect(await ids()).toEqual(fresh.map((r) => r.requestId).sort());
  });

  it("removes old compressed batches with their rows as it does plain ones", async () => {
    const many = (n: number) => Array.from({ length: n }, () => recordOf());
    const old = [many(3), many(80), many(80)];
    const fresh = [many(80), many(2)];
    for (const batch of [...old, ...fresh]) await appendBatch(store, batch);
    await waitForRows(sql, 245);
    const { rows: forms } = await sql.query<{ compressed: boolean }>(
      "SELECT compressed_data IS NOT NULL AS compressed FROM ferry_events ORDER BY sequence",
    );
    expect(forms.map((row) => row.compressed)).toEqual([false, true, true, true, false]);
    expect(await countRecords(sql)).toBe(245);

    await sql.query(
      `UPDATE ferry_events SET recorded_at = recorded_at - interval '365 days'
       WHERE stream_version <= 3`,
    );
    const cutoff = new Date(Date.now() - 90 * 86_400_000);

    expect(await pruneRequests(sql, cutoff)).toEqual({ events: 3, rows: 163 });
    const kept = fresh
      .flat()
      .map((r) => r.requestId)
      .sort();
    expect(await ids()).toEqual(kept);
    expect(await countRecords(sql)).toBe(82);
    expect(await pruneRequests(sql, cutoff)).toEqual({ events: 0, rows: 0 });

    await projector.close();
    await rebuildRequestLog(sql);
    projector = await startRequestLogProjector({ sql });
    await waitForRows(sql, 82);
    expect(await ids()).toEqual(kept);
  });

  it("counts the records of compressed batches page by page, past ten pages and digit boundaries", async () => {
    const batches = Array.from({ length: 23 }, (_, n) =>
      Array.from({ length: 60 + n }, () => recordOf()),
    );
    for (const batch of batches) await appendBatch(store, batch);
    const expected = batches.reduce((sum, batch) => sum + batch.length, 0);

    for (const pageSize of [1, 2, 5, 64])
      expect(await countRecords(sql, { pageSize })).toBe(expected);
  });
});
