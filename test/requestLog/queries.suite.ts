/**
 * The request log's queries against one kind of store, over rows with known
 * timestamps and durations: order, keyset pages, filters, client isolation
 * and usage with its percentiles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestLog, type RequestLog } from "../../adapters/requestLog/index.ts";
import { insertRows } from "../../adapters/requestLog/insertRows.ts";
import { unfoldRecords } from "../../adapters/requestLog/unfoldRecords.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import type { RequestRecord } from "../../core/domain/events.ts";
import type { OpenSql } from "./projector.suite.ts";
import { recordedBatch, recordOf } from "./records.ts";

const at = (iso: string) => new Date(iso);

export function queriesSuite(name: string, openSql: OpenSql): void {
  describe(`request log queries on ${name}`, () => {
    let sql: SqlClient;
    let log: RequestLog;
    const r: Record<string, RequestRecord> = {};

    beforeAll(async () => {
      sql = await openSql();
      await migrate(sql);
      log = createRequestLog(sql);
      const rows: [string, Partial<RequestRecord>][] = [
        ["r1", { timestamp: "2024-05-01T09:15:00.000Z", duration: 10 }],
        [
          "r2",
          {
            timestamp: "2024-05-01T09:45:00.000Z",
            duration: 20,
            status: "failed",
            responseStatus: 502,
          },
        ],
        [
          "r3",
          {
            timestamp: "2024-05-01T10:00:00.000Z",
            proxyId: "prx_2",
            duration: 0,
            status: "denied",
            responseStatus: null,
          },
        ],
        ["r4", { timestamp: "2024-05-02T00:00:00.000Z", duration: 40, responseStatus: 404 }],
        ["r5", { timestamp: "2024-05-02T23:59:59.999Z", duration: 30, proxyId: "prx_2" }],
        ["r6", { timestamp: "2024-05-03T12:00:00.000Z", duration: 50, requestId: "req_same_A" }],
        ["r7", { timestamp: "2024-05-03T12:00:00.000Z", duration: 60, requestId: "req_same_B" }],
        ["b1", { timestamp: "2024-05-01T09:30:00.000Z", clientId: "cli_B", proxyId: "prx_B" }],
      ];
      for (const [key, overrides] of rows) r[key] = recordOf(overrides);
      await insertRows(sql, unfoldRecords(Object.values(r).map((x) => recordedBatch([x]))).rows);
    });

    afterAll(() => sql.close());

    const ids = (page: { requests: { record: Record<string, unknown> }[] }) =>
      page.requests.map((request) => request.record.requestId);
    const idsOf = (...keys: string[]) => keys.map((key) => r[key]!.requestId);

    it("lists the client's requests newest first, ties by request id", async () => {
      const page = await log.list({ clientId: "cli_A" }, { limit: 100 });

      expect(ids(page)).toEqual(idsOf("r7", "r6", "r5", "r4", "r3", "r2", "r1"));
      expect(page.next).toBeNull();
      expect(page.requests[0]).toMatchObject({
        status: "completed",
        duration: 60,
        responseStatus: 200,
        timestamp: "2024-05-03T12:00:00.000Z",
      });
    });

    it("walks every record once through pages of two", async () => {
      const seen: unknown[] = [];
      const sizes: number[] = [];
      let after = null;
      for (;;) {
        const page = await log.list({ clientId: "cli_A" }, { limit: 2, after });
        seen.push(...ids(page));
        sizes.push(page.requests.length);
        if (page.next === null) break;
        after = page.next;
      }

      expect(sizes).toEqual([2, 2, 2, 1]);
      expect(seen).toEqual(idsOf("r7", "r6", "r5", "r4", "r3", "r2", "r1"));
    });

    it("has no next page when the last one is exactly full", async () => {
      expect((await log.list({ clientId: "cli_A" }, { limit: 7 })).next).toBeNull();
      expect((await log.list({ clientId: "cli_A" }, { limit: 6 })).next).not.toBeNull();
    });

    it("filters by proxy, status and time bounds", async () => {
      const list = async (filter: Omit<Parameters<RequestLog["list"]>[0], "clientId">) =>
        ids(await log.list({ clientId: "cli_A", ...filter }, { limit: 100 }));

      expect(await list({ proxyId: "prx_2" })).toEqual(idsOf("r5", "r3"));
      expect(await list({ statuses: ["failed", "denied"] })).toEqual(idsOf("r3", "r2"));
      expect(
        await list({
          bounds: [
            { op: ">=", at: at("2024-05-02T00:00:00Z") },
            { op: "<", at: at("2024-05-03T00:00:00Z") },
          ],
        }),
      ).toEqual(idsOf("r5", "r4"));
      expect(
        await list({
          bounds: [
            { op: ">", at: at("2024-05-01T09:15:00Z") },
            { op: "<=", at: at("2024-05-01T10:00:00Z") },
          ],
        }),
      ).toEqual(idsOf("r3", "r2"));
    });

    it("never shows another client's requests", async () => {
      expect(ids(await log.list({ clientId: "cli_B" }, { limit: 100 }))).toEqual(idsOf("b1"));
      expect(await log.get("cli_B", r.r1!.requestId)).toBeNull();
      expect(await log.get("cli_A", r.b1!.requestId)).toBeNull();
      expect(await log.hasProxy("cli_A", "prx_B")).toBe(false);
      expect(await log.hasProxy("cli_B", "prx_B")).toBe(true);
    });

    it("reads one request, within its proxy when one is named", async () => {
      expect((await log.get("cli_A", r.r3!.requestId))?.record).toEqual(r.r3);
      expect(await log.get("cli_A", r.r3!.requestId, "prx_2")).not.toBeNull();
      expect(await log.get("cli_A", r.r3!.requestId, "prx_1")).toBeNull();
    });

    it("reports usage in total, per proxy and per day", async () => {
      const report = await log.usage({ clientId: "cli_A" }, "day");

      // Durations 0, 10, 20, 30, 40, 50, 60: interpolated percentiles.
      expect(report.totals).toEqual({
        totalRequests: 7,
        successful: 5,
        failed: 1,
        denied: 1,
        avgDuration: 30,
        p50: 30,
        p95: expect.closeTo(57, 6),
        p99: expect.closeTo(59.4, 6),
      });
      expect(report.proxies.map((p) => [p.proxyId, p.totalRequests, p.successful])).toEqual([
        ["prx_1", 5, 4],
        ["prx_2", 2, 1],
      ]);
      expect(report.buckets.map((b) => [b.start, b.end, b.totalRequests])).toEqual([
        ["2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z", 3],
        ["2024-05-02T00:00:00.000Z", "2024-05-03T00:00:00.000Z", 2],
        ["2024-05-03T00:00:00.000Z", "2024-05-04T00:00:00.000Z", 2],
      ]);
      expect(report.buckets[0]).toMatchObject({
        successful: 1,
        failed: 1,
        denied: 1,
        avgDuration: 10,
      });
    });

    it("reports usage per hour within time bounds", async () => {
      const report = await log.usage(
        { clientId: "cli_A", bounds: [{ op: "<", at: at("2024-05-02T00:00:00Z") }] },
        "hour",
      );

      expect(report.totals.totalRequests).toBe(3);
      expect(report.buckets.map((b) => [b.start, b.totalRequests])).toEqual([
        ["2024-05-01T09:00:00.000Z", 2],
        ["2024-05-01T10:00:00.000Z", 1],
      ]);
    });

    it("reports zeros when nothing matches", async () => {
      const report = await log.usage({ clientId: "cli_nobody" }, "day");

      expect(report).toEqual({
        totals: {
          totalRequests: 0,
          successful: 0,
          failed: 0,
          denied: 0,
          avgDuration: 0,
          p50: 0,
          p95: 0,
          p99: 0,
        },
        proxies: [],
        buckets: [],
      });
    });
  });
}
