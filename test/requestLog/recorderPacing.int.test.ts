/**
 * How recording paces itself under traffic, on the embedded store: the
 * recorder appends one batch per interval however fast records arrive, and
 * the request log projector makes way for a busy proxy, then catches up.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import {
  startRequestLogProjector,
  type RequestLogProjector,
} from "../../adapters/requestLog/index.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import type { EventStore } from "../../core/eventStore/eventStore.ts";
import { startRequestRecorder } from "../../apps/runtime/requestRecorder.ts";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { appendBatch, countRows, eventually, recordOf, sleep, waitForRows } from "./records.ts";

let sql: SqlClient;
let store: EventStore;
const quiet = { error: () => {}, warn: () => {}, info: () => {} } as never;

beforeEach(async () => {
  sql = await sharedPGlite();
  await migrate(sql);
  store = createSqlEventStore(sql, { retryMs: 50 });
});
afterEach(async () => {
  await store.close();
  await sql.close();
});
afterAll(() => closeSharedPGlite());

const batchEvents = async () =>
  (
    await sql.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM ferry_events WHERE type = 'ProxyRequestsRecorded'",
    )
  ).rows[0]!.n;

describe("the request recorder", () => {
  it("appends what is pending once per interval, not once per round trip", async () => {
    const recorder = startRequestRecorder({ store, logger: quiet, intervalMs: 200 });
    const sent: string[] = [];
    // A record every millisecond for 1.2 s: each append finishes long before
    // the next interval, and records keep arriving while it runs.
    const until = Date.now() + 1_200;
    while (Date.now() < until) {
      const record = recordOf();
      recorder.record(record);
      sent.push(record.requestId);
      expect(recorder.busy()).toBe(true);
      await sleep(1);
    }
    await recorder.stop();

    // Six intervals, the last flush at stop, and slack for a slow machine.
    expect(await batchEvents()).toBeLessThanOrEqual(9);
    const { events } = await store.readAll(null, 100);
    const written = events.flatMap(
      (event) => (event.data as { records: { requestId: string }[] }).records,
    );
    expect(written.map((record) => record.requestId)).toEqual(sent);
    await sleep(300);
    expect(recorder.busy()).toBe(false);
  });
});

describe("the request log projector beside a busy proxy", () => {
  let projector: RequestLogProjector | null = null;
  afterEach(async () => {
    await projector?.close();
    projector = null;
  });

  const backlog = async (batches: number, perBatch: number) => {
    for (let n = 0; n < batches; n++)
      await appendBatch(
        store,
        Array.from({ length: perBatch }, () => recordOf()),
      );
  };

  it("projects little while the proxy is busy, and everything once it is not", async () => {
    await backlog(40, 200);
    let busy = true;
    projector = await startRequestLogProjector({
      sql,
      yieldTo: { busy: () => busy, share: 0.05 },
    });

    // One batch event per step and nineteen times its length at rest.
    await sleep(1_000);
    const whileBusy = await countRows(sql);
    expect(whileBusy).toBeGreaterThan(0);
    expect(whileBusy).toBeLessThan(8_000 / 2);

    busy = false;
    await waitForRows(sql, 8_000);
  });

  it("ends a rest as soon as the traffic ebbs, however small its share", async () => {
    await backlog(10, 200);
    let busy = true;
    // One step's rest at this share would last for hours.
    projector = await startRequestLogProjector({ sql, yieldTo: { busy: () => busy, share: 1e-6 } });
    await eventually(async () => (await countRows(sql)) > 0, "a first step");
    await sleep(300);
    expect(await countRows(sql)).toBeLessThan(2_000);

    busy = false;
    await waitForRows(sql, 2_000);
  });

  it("catches up regardless once it has been behind for the longest lag allowed", async () => {
    await backlog(40, 200);
    projector = await startRequestLogProjector({
      sql,
      // Forty steps at one percent would take forty seconds.
      yieldTo: { busy: () => true, share: 0.01, maxLagMs: 300 },
    });

    await waitForRows(sql, 8_000);
  });

  it("follows a busy proxy's log when its share is enough", async () => {
    projector = await startRequestLogProjector({
      sql,
      yieldTo: { busy: () => true, share: 0.5, maxLagMs: 60_000 },
    });
    for (let n = 0; n < 5; n++) {
      await backlog(1, 20);
      await waitForRows(sql, (n + 1) * 20);
    }
  });
});
