/**
 * The request log projector against one kind of store: rows from batches,
 * redelivery, a lost compare-and-set, a reset under a running projector and
 * a version change. Every test gets a fresh, migrated schema.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendToStreamIn } from "../../adapters/eventStore/appendToStream.ts";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { storeCheckpointIn } from "../../adapters/eventStore/storeCheckpoint.ts";
import { insertRows } from "../../adapters/requestLog/insertRows.ts";
import { projectBatch } from "../../adapters/requestLog/projectBatch.ts";
import { requestLog } from "../../adapters/requestLog/tables.ts";
import { unfoldRecords } from "../../adapters/requestLog/unfoldRecords.ts";
import {
  newestRequestPosition,
  rebuildRequestLog,
  startRequestLogProjector,
  type RequestLogProjector,
} from "../../adapters/requestLog/index.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { streams } from "../../core/domain/events.ts";
import {
  comparePositions,
  expectAny,
  expectNoStream,
  type EventStore,
  type GlobalPosition,
} from "../../core/eventStore/eventStore.ts";
import {
  appendBatch,
  batchOf,
  checkpointsOf,
  countRows,
  eventually,
  recordedBatch,
  recordOf,
  waitForRows,
} from "./records.ts";

export type OpenSql = () => Promise<SqlClient>;

const testTiming = { retryMs: 50 };

export function projectorSuite(name: string, openSql: OpenSql): void {
  describe(`request log projector on ${name}`, () => {
    let sql: SqlClient;
    let store: EventStore;
    let projectors: RequestLogProjector[];
    const errors: unknown[] = [];

    const start = async (options: { version?: number } = {}) => {
      const projector = await startRequestLogProjector({
        sql,
        onError: (error) => errors.push(error),
        ...options,
      });
      projectors.push(projector);
      return projector;
    };

    beforeEach(async () => {
      sql = await openSql();
      await migrate(sql);
      store = createSqlEventStore(sql, testTiming);
      projectors = [];
      errors.length = 0;
    });

    afterEach(async () => {
      await Promise.all(projectors.map((projector) => projector.close()));
      await store.close();
      await sql.close();
    });

    it("has every table, view and column the queries name", async () => {
      const { table, readable, ...columns } = requestLog;
      for (const relation of [table, readable]) {
        const { rows } = await sql.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = $1`,
          [relation],
        );
        const present = new Set(rows.map((row) => row.column_name));
        expect(Object.values(columns).filter((column) => !present.has(column))).toEqual([]);
      }
    });

    it("writes one row per record of each batch and leaves other streams alone", async () => {
      await store.appendToStream(
        "client-cli_A",
        [{ type: "ClientCreated", data: {} }],
        expectNoStream,
      );
      const first = [recordOf(), recordOf({ status: "failed", responseStatus: 502, duration: 7 })];
      const second = [
        recordOf({ proxyId: "prx_2", status: "denied", responseStatus: null, duration: 0 }),
      ];
      await appendBatch(store, first);
      const last = await appendBatch(store, second);
      await start();

      await waitForRows(sql, 3);
      const { rows } = await sql.query<Record<string, unknown>>(
        `SELECT request_id, client_id, proxy_id, status, duration, response_status, record
         FROM ferry_request_log ORDER BY request_id`,
      );
      expect(
        rows.map((row) => [row.proxy_id, row.status, row.response_status, row.duration]),
      ).toEqual([
        ["prx_1", "completed", 200, 12],
        ["prx_1", "failed", 502, 7],
        ["prx_2", "denied", null, 0],
      ]);
      expect(rows[0]!.record).toEqual(first[0]);
      await eventually(
        async () =>
          (await checkpointsOf(sql))["request_log@1"]?.sequence === last.lastPosition.sequence,
        "checkpoint at the last batch",
      );
      expect(errors).toEqual([]);
    });

    it("keeps up with batches appended while it runs", async () => {
      await start();
      for (let n = 0; n < 5; n++) await appendBatch(store, [recordOf(), recordOf()]);

      await waitForRows(sql, 10);
    });

    it("writes nothing twice when batches are delivered again", async () => {
      const records = [recordOf(), recordOf(), recordOf()];
      await appendBatch(store, records);
      const projector = await start();
      await waitForRows(sql, 3);
      await projector.close();

      // As after a crash between two deliveries: the checkpoint is behind rows already written.
      await sql.query(
        `UPDATE ferry_checkpoints SET transaction_id = '0'::xid8, sequence = 0
         WHERE name = 'request_log@1'`,
      );
      await appendBatch(store, [recordOf()]);
      await start();

      await waitForRows(sql, 4);
      const { events } = await store.readAll(null, 100);
      await eventually(
        async () =>
          comparePositions(
            (await checkpointsOf(sql))["request_log@1"]!,
            events.at(-1)!.position,
          ) === 0,
        "checkpoint at the last batch",
      );
      expect(await countRows(sql)).toBe(4);
    });

    it("projects a batch twice into the same rows", async () => {
      const { lastPosition } = await appendBatch(store, [recordOf(), recordOf()]);
      const { events } = await store.readAll(null, 10);
      const { rows } = unfoldRecords(events);

      expect(await projectBatch(sql, "request_log@1", null, lastPosition, rows)).toBe(true);
      expect(await projectBatch(sql, "request_log@1", lastPosition, lastPosition, rows)).toBe(true);
      expect(await countRows(sql)).toBe(2);
    });

    it("writes nothing when the checkpoint is not where it expected", async () => {
      const { lastPosition } = await appendBatch(store, [recordOf()]);
      const { events } = await store.readAll(null, 10);
      const stale: GlobalPosition = { transactionId: 1n, sequence: 1n };

      expect(await projectBatch(sql, "request_log@1", null, lastPosition, [])).toBe(true);
      expect(
        await projectBatch(sql, "request_log@1", stale, lastPosition, unfoldRecords(events).rows),
      ).toBe(false);
      expect(await countRows(sql)).toBe(0);
    });

    it("after losing the compare-and-set to another process, continues from its checkpoint", async () => {
      await appendBatch(store, [recordOf()]);
      await start();
      await waitForRows(sql, 1);

      // Another process appends a batch and projects it in the same
      // transaction: when this projector sees the batch, the checkpoint has
      // moved past it already.
      const theirs = recordOf({ code: "theirs" });
      await sql.transaction(async (tx) => {
        const expected = (await checkpointsOf(tx))["request_log@1"]!;
        const { lastPosition } = await appendToStreamIn(
          tx,
          streams.requests("prx_1"),
          [batchOf([theirs])],
          expectAny,
        );
        await insertRows(tx, unfoldRecords([recordedBatch([theirs])]).rows);
        expect(await storeCheckpointIn(tx, "request_log@1", expected, lastPosition)).toBe(true);
      });
      const after = await appendBatch(store, [recordOf(), recordOf()]);

      await waitForRows(sql, 4);
      await eventually(
        async () =>
          comparePositions((await checkpointsOf(sql))["request_log@1"]!, after.lastPosition) === 0,
        "checkpoint at the last batch",
      );
    });

    it("refills the log from the start when it is reset under a running projector", async () => {
      for (let n = 0; n < 3; n++) await appendBatch(store, [recordOf(), recordOf()]);
      await start({});
      await waitForRows(sql, 6);

      await rebuildRequestLog(sql);
      expect(await countRows(sql)).toBe(0);
      // The projector's next batch loses its compare-and-set against the
      // reset checkpoint; it must read everything again, not just that batch.
      await appendBatch(store, [recordOf()]);

      await waitForRows(sql, 7);
    });

    it("knows the newest request event by its position, not by the digits of its numbers", async () => {
      expect(await newestRequestPosition(sql)).toBeNull();
      // One transaction of twelve events: their sequence numbers pass from
      // one digit to two, where "9" sorts after "12" as text.
      const appended = await store.appendMany(
        Array.from({ length: 12 }, (_, n) => ({
          streamId: streams.requests(`prx_${n}`),
          events: [batchOf([recordOf({ proxyId: `prx_${n}` })])],
          expected: expectAny,
        })),
      );
      await store.appendToStream("client-A", [{ type: "ClientCreated", data: {} }], expectAny);
      const newest = appended.at(-1)!.lastPosition;
      expect(newest.sequence).toBeGreaterThanOrEqual(10n);
      expect(await newestRequestPosition(sql)).toEqual(newest);
    });

    it("two projectors on one store write every record once", async () => {
      await start();
      await start();
      await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          appendBatch(store, [
            recordOf({ proxyId: `prx_${n % 3}` }),
            recordOf({ proxyId: `prx_${n % 3}` }),
          ]),
        ),
      );

      await waitForRows(sql, 24);
      const { events } = await store.readAll(null, 1000);
      await eventually(
        async () =>
          comparePositions(
            (await checkpointsOf(sql))["request_log@1"]!,
            events.at(-1)!.position,
          ) === 0,
        "checkpoint at the last batch",
      );
    });

    it("leaves out a record it cannot read and writes the rest", async () => {
      const malformed: unknown[] = [];
      const good = recordOf();
      await store.appendToStream(
        streams.requests("prx_1"),
        [
          {
            type: "ProxyRequestsRecorded",
            data: { proxyId: "prx_1", clientId: "cli_A", records: [good, { requestId: "" }, "x"] },
          },
        ],
        expectAny,
      );
      projectors.push(
        await startRequestLogProjector({ sql, onMalformed: (m) => malformed.push(...m) }),
      );

      await waitForRows(sql, 1);
      await eventually(async () => malformed.length === 2, "two malformed records reported");
    });

    // Padded with readable records, a batch is stored compressed (eventData.ts).
    it.each([
      ["stored as jsonb", 0],
      ["stored compressed", 80],
    ])(
      "writes the same rows as unfoldRecords, whichever records SQL leaves to it, %s",
      async (_form, padding) => {
        const at = "2024-03-01T10:00:00.000Z";
        const records: unknown[] = [
          recordOf(),
          recordOf({ clientId: "", proxyId: "" }),
          { ...recordOf(), timestamp: "2024-03-01T11:00:00+01:00" },
          { ...recordOf(), timestamp: "2024-02-29T23:59:59.999Z" },
          { ...recordOf(), timestamp: "2023-02-29T00:00:00.000Z" },
          { ...recordOf(), timestamp: "2024-04-31T00:00:00.000Z" },
          { ...recordOf(), timestamp: at, duration: "12" },
          { ...recordOf(), timestamp: at, duration: -3 },
          { ...recordOf(), timestamp: at, duration: 1e-320 },
          { ...recordOf(), timestamp: at, duration: null, responseStatus: 5.5 },
          { ...recordOf(), timestamp: at, responseStatus: "200" },
          { ...recordOf(), timestamp: at, responseStatus: 1e10 },
          { ...recordOf(), requestId: 7 },
          { ...recordOf(), status: ["completed"] },
          [recordOf()],
          "x",
          ...Array.from({ length: padding }, () => recordOf()),
        ];
        const { clientId, proxyId } = recordOf();
        await store.appendToStream(
          streams.requests(proxyId),
          [{ type: "ProxyRequestsRecorded", data: { proxyId, clientId, records } }],
          expectAny,
        );
        const stored = await sql.query<{ compressed: boolean }>(
          "SELECT compressed_data IS NOT NULL AS compressed FROM ferry_events",
        );
        expect(stored.rows).toEqual([{ compressed: padding > 0 }]);
        const { events } = await store.readAll(null, 10);
        const expected = unfoldRecords(events);
        const malformed: unknown[] = [];
        projectors.push(
          await startRequestLogProjector({
            sql,
            onMalformed: (m) => malformed.push(...m),
            onError: (error) => errors.push(error),
          }),
        );

        await eventually(
          async () => malformed.length > 0 || errors.length > 0,
          "malformed records reported",
        );
        expect(errors).toEqual([]);
        const { rows } = await sql.query<Record<string, unknown>>(
          `SELECT request_id, client_id, proxy_id, status,
                to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
                duration, response_status, record
         FROM ferry_request_log ORDER BY request_id`,
        );
        expect(rows).toEqual(
          expected.rows
            .map((row) => ({
              request_id: row.requestId,
              client_id: row.clientId,
              proxy_id: row.proxyId,
              status: row.status,
              occurred_at: row.occurredAt,
              duration: row.duration,
              response_status: row.responseStatus,
              record: row.record,
            }))
            .sort((a, b) => (a.request_id < b.request_id ? -1 : 1)),
        );
        expect(malformed).toEqual(expected.malformed);
      },
    );

    it("reports a compressed batch that does not inflate, and projects the next", async () => {
      const malformed: { streamVersion: number; reason: string }[] = [];
      const many = (n: number) => Array.from({ length: n }, () => recordOf());
      await appendBatch(store, many(80));
      await sql.query("UPDATE ferry_events SET compressed_data = 'not gzip'::bytea");
      const next = many(80);
      await appendBatch(store, next);
      projectors.push(
        await startRequestLogProjector({ sql, onMalformed: (m) => malformed.push(...m) }),
      );

      await waitForRows(sql, next.length);
      await eventually(async () => malformed.length === 1, "the unreadable batch reported");
      expect(malformed[0]).toMatchObject({ streamVersion: 1 });
      expect(malformed[0]!.reason).toMatch(/^compressed data cannot be read/);
      const { rows } = await sql.query<{ id: string }>(
        "SELECT request_id AS id FROM ferry_request_log ORDER BY request_id",
      );
      expect(rows.map((row) => row.id)).toEqual(next.map((record) => record.requestId).sort());
    });

    describe("versions", () => {
      it("drops the rows of an older version and projects the log again", async () => {
        await appendBatch(store, [recordOf(), recordOf()]);
        const v1 = await start({ version: 1 });
        expect(v1.started).toEqual({ kind: "ready", rebuilt: false });
        await waitForRows(sql, 2);
        await v1.close();
        // A row the log does not hold: only a rebuild removes it.
        await insertRows(sql, unfoldRecords([recordedBatch([recordOf()])]).rows);

        const v2 = await start({ version: 2 });

        expect(v2.started).toEqual({ kind: "ready", rebuilt: true });
        await waitForRows(sql, 2);
        expect(Object.keys(await checkpointsOf(sql))).toEqual(["request_log@2"]);
      });

      it("resumes without rebuilding when its version's checkpoint is there", async () => {
        await appendBatch(store, [recordOf()]);
        await (await start()).close();
        const again = await start();

        expect(again.started).toEqual({ kind: "ready", rebuilt: false });
      });

      it("an older version stops writing once a newer one has started", async () => {
        await appendBatch(store, [recordOf()]);
        const superseded: number[] = [];
        const v1 = await startRequestLogProjector({
          sql,
          version: 1,
          onSuperseded: (newer) => superseded.push(newer),
        });
        projectors.push(v1);
        await waitForRows(sql, 1);

        await start({ version: 2 });
        await appendBatch(store, [recordOf()]);
        await waitForRows(sql, 2);
        await eventually(async () => v1.superseded(), "the old projector stepped back");
        expect(superseded).toEqual([2]);
        expect(Object.keys(await checkpointsOf(sql))).toEqual(["request_log@2"]);

        const late = await start({ version: 1 });
        expect(late.started).toEqual({ kind: "superseded" });
        expect(Object.keys(await checkpointsOf(sql))).toEqual(["request_log@2"]);
      });
    });
  });
}
