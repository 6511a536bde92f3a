/**
 * The request log and usage against real traffic: a recording upstream that
 * answers 200 under `/ok` and 500 under `/fail`, calls with a wrong key that
 * Ferry denies, and the usage-statistics code of the public SaaS-integration
 * guide, which totals `data` by each record's `status` and `duration`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { closeSharedPGlite, freshPostgresSchema, hasPostgres } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";

const SENT = { completed: 7, failed: 4, denied: 3, second: 2 };
const TOTAL = SENT.completed + SENT.failed + SENT.denied + SENT.second;
const FIRST_PROXY = SENT.completed + SENT.failed + SENT.denied;

const utcDate = (date: Date) => date.toISOString().slice(0, 10);

/** `instant` written in another UTC offset, e.g. `+02:00`. */
const inOffset = (instant: string, offsetMinutes: number): string => {
  const local = new Date(Date.parse(instant) + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
};

function requestLogSuite(name: string, openSql?: () => Promise<SqlClient>) {
  describe(`request log and usage on ${name}`, () => {
    let ferry: TestFerry;
    let upstream: RecordingUpstream;
    let setup: Awaited<ReturnType<typeof createIntegration>>;
    let other: Awaited<ReturnType<typeof createIntegration>>;
    let secondProxyId: string;
    let firstDay: string;
    let lastDay: string;

    const send = (baseURL: string, path: string, key: string) =>
      fetch(`${baseURL}${path}`, { headers: { "X-API-Key": key } }).then((r) => r.text());

    /** The Core API with the admin token, as the guide's code calls it. */
    const get = async (path: string) => {
      const response = await fetch(`${ferry.coreUrl}${path}`, {
        headers: { Authorization: ferry.adminToken },
      });
      return { status: response.status, body: (await response.json()) as any };
    };

    /** Polls until the listing holds `count` records: the log is written in batches. */
    const waitForLog = async (base: string, count: number) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { body } = await get(`${base}/requests`);
        if (body.data.length === count) return body.data as any[];
        if (body.data.length > count || Date.now() > deadline)
          throw new Error(`expected ${count} records, the log holds ${body.data.length}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    beforeAll(async () => {
      upstream = await startRecordingUpstream((request) =>
        request.path.startsWith("/fail")
          ? { status: 500, body: "upstream broke" }
          : { status: 200, headers: [["Content-Type", "application/json"]], body: "{}" },
      );
      ferry = await startTestFerry(openSql ? { sql: await openSql() } : {});
      setup = await createIntegration(ferry, upstream.origin);
      other = await createIntegration(ferry, upstream.origin);
      const second = await ferry.api("POST", `${setup.base}/proxies`, {
        proxyName: "second",
        proxyCredentialId: setup.proxyCredential.credentialId,
        targetId: setup.target.targetId,
        targetCredentialId: setup.targetCredential.credentialId,
      });
      secondProxyId = second.body.proxyId;

      firstDay = utcDate(new Date());
      const calls: Promise<string>[] = [];
      for (let n = 0; n < SENT.completed; n++)
        calls.push(send(setup.proxy.baseURL, `/ok/${n}?page=${n}`, setup.key));
      for (let n = 0; n < SENT.failed; n++)
        calls.push(send(setup.proxy.baseURL, `/fail/${n}`, setup.key));
      for (let n = 0; n < SENT.denied; n++)
        calls.push(send(setup.proxy.baseURL, `/ok/denied`, "not-the-key-0123456789abcdef"));
      for (let n = 0; n < SENT.second; n++)
        calls.push(send(second.body.baseURL, `/ok/second`, setup.key));
      calls.push(send(other.proxy.baseURL, "/ok/other", other.key));
      calls.push(send(other.proxy.baseURL, "/ok/other", other.key));
      await Promise.all(calls);
      lastDay = utcDate(new Date());

      await waitForLog(setup.base, TOTAL);
      await waitForLog(other.base, 2);
    });

    afterAll(async () => {
      await ferry?.close();
      await upstream?.close();
    });

    it("gives the guide's usage code exactly the counts that were sent", async () => {
      // The guide's code, with Ferry's base URL.
      const response = await fetch(
        `${ferry.coreUrl}/clients/${setup.client.clientId}/requests?proxyId=${setup.proxy.proxyId}&startDate=${firstDay}&endDate=${lastDay}`,
        { headers: { Authorization: ferry.adminToken } },
      );
      const { data: requests } = (await response.json()) as { data: any[] };
      const stats = {
        totalRequests: requests.length,
        successfulRequests: requests.filter((r) => r.status === "completed").length,
        failedRequests: requests.filter((r) => r.status === "failed").length,
        averageDuration: requests.reduce((sum, r) => sum + r.duration, 0) / requests.length,
      };

      expect(stats).toEqual({
        totalRequests: FIRST_PROXY,
        successfulRequests: SENT.completed,
        failedRequests: SENT.failed,
        averageDuration: expect.any(Number),
      });
      expect(Number.isFinite(stats.averageDuration)).toBe(true);
      expect(requests.filter((r) => r.status === "denied")).toHaveLength(SENT.denied);
    });

    it("answers usage that agrees with the listing, in total, per proxy and per hour", async () => {
      const { data } = (await get(`${setup.base}/requests`)).body;
      const first = data.filter((r: any) => r.proxyId === setup.proxy.proxyId);
      const average = (list: any[]) =>
        list.reduce((sum: number, r: any) => sum + r.duration, 0) / list.length;

      const { status, body } = await get(`${setup.base}/usage?groupBy=hour`);

      expect(status).toBe(200);
      expect(body.groupBy).toBe("hour");
      expect(body.totals).toMatchObject({
        totalRequests: TOTAL,
        successful: SENT.completed + SENT.second,
        failed: SENT.failed,
        denied: SENT.denied,
      });
      expect(body.totals.avgDuration).toBeCloseTo(average(data), 6);
      expect(body.totals.p50).toBeLessThanOrEqual(body.totals.p95);
      expect(body.totals.p95).toBeLessThanOrEqual(body.totals.p99);
      const byProxy = Object.fromEntries(body.proxies.map((p: any) => [p.proxyId, p]));
      expect(byProxy[setup.proxy.proxyId]).toMatchObject({
        totalRequests: FIRST_PROXY,
        successful: SENT.completed,
        failed: SENT.failed,
        denied: SENT.denied,
      });
      expect(byProxy[setup.proxy.proxyId].avgDuration).toBeCloseTo(average(first), 6);
      expect(byProxy[secondProxyId]).toMatchObject({ totalRequests: SENT.second, successful: 2 });
      expect(body.buckets.reduce((sum: number, b: any) => sum + b.totalRequests, 0)).toBe(TOTAL);
      for (const bucket of body.buckets)
        expect(Date.parse(bucket.end) - Date.parse(bucket.start)).toBe(3_600_000);

      const oneProxy = await get(`${setup.base}/usage?proxyId=${secondProxyId}`);
      expect(oneProxy.body.groupBy).toBe("day");
      expect(oneProxy.body.totals.totalRequests).toBe(SENT.second);
      expect(oneProxy.body.proxies.map((p: any) => p.proxyId)).toEqual([secondProxyId]);
    });

    it("shows every record with the fields of spec §3 and the injected credential version", async () => {
      const { data } = (await get(`${setup.base}/requests?proxyId=${setup.proxy.proxyId}`)).body;

      for (const record of data) {
        expect(record.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
        expect(record.proxyId).toBe(setup.proxy.proxyId);
        expect(record.method).toBe("GET");
        expect(typeof record.path).toBe("string");
        expect(typeof record.duration).toBe("number");
        expect(record.duration).toBeGreaterThanOrEqual(0);
        expect(new Date(record.timestamp).toISOString()).toBe(record.timestamp);
      }
      const completed = data.filter((r: any) => r.status === "completed");
      const failed = data.filter((r: any) => r.status === "failed");
      const denied = data.filter((r: any) => r.status === "denied");
      expect(completed.map((r: any) => r.responseStatus)).toEqual(completed.map(() => 200));
      expect(failed.map((r: any) => r.responseStatus)).toEqual(failed.map(() => 500));
      expect(denied.map((r: any) => r.responseStatus)).toEqual(denied.map(() => null));
      expect(denied.map((r: any) => r.duration)).toEqual(denied.map(() => 0));
      expect(completed[0]).toMatchObject({
        targetCredentialId: setup.targetCredential.credentialId,
        targetCredentialVersion: 1,
        code: "proxy-access-granted",
      });
      expect(denied[0].targetCredentialVersion).toBeNull();
      expect(completed.map((r: any) => r.path).sort()).toEqual(
        Array.from({ length: SENT.completed }, (_, n) => `/ok/${n}`).sort(),
      );
      expect(completed.some((r: any) => r.query === "page=0")).toBe(true);
      expect(JSON.stringify(data)).not.toContain(setup.key);
    });

    it("walks every record once, newest first, through pages of three", async () => {
      const seen: any[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
        const { status, body } = await get(`${setup.base}/requests?limit=3${query}`);
        expect(status).toBe(200);
        expect(body.data.length).toBeLessThanOrEqual(3);
        seen.push(...body.data);
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null);

      expect(pages).toBe(Math.ceil(TOTAL / 3));
      expect(new Set(seen.map((r) => r.requestId)).size).toBe(TOTAL);
      const order = seen.map((r) => Date.parse(r.timestamp));
      expect(order).toEqual([...order].sort((a, b) => b - a));
      expect(seen.map((r) => r.requestId)).toEqual(
        (await get(`${setup.base}/requests`)).body.data.map((r: any) => r.requestId),
      );
      expect((await get(`${setup.base}/requests?limit=${TOTAL}`)).body.nextCursor).toBeNull();
    });

    it("filters by status", async () => {
      const failed = (await get(`${setup.base}/requests?status=failed`)).body.data;
      const some = (await get(`${setup.base}/requests?status=completed,denied`)).body.data;

      expect(failed).toHaveLength(SENT.failed);
      expect(some).toHaveLength(SENT.completed + SENT.second + SENT.denied);
      expect(new Set(some.map((r: any) => r.status))).toEqual(new Set(["completed", "denied"]));
    });

    it("reads dates and timestamps, a bare end date as its whole day and a + sent as a space", async () => {
      const { data } = (await get(`${setup.base}/requests`)).body;
      const middle = data[Math.floor(data.length / 2)].timestamp as string;
      const atOrAfter = data.filter((r: any) => r.timestamp >= middle).length;
      const atOrBefore = data.filter((r: any) => r.timestamp <= middle).length;
      const count = async (query: string) => {
        const { status, body } = await get(`${setup.base}/requests?${query}`);
        expect(status).toBe(200);
        return body.data.length;
      };

      expect(await count(`startDate=${firstDay}&endDate=${lastDay}`)).toBe(TOTAL);
      expect(await count(`endDate=${lastDay}`)).toBe(TOTAL);
      // The `+` of the offset is sent raw: the query string makes it a space.
      expect(await count(`startDate=${inOffset(middle, 120)}`)).toBe(atOrAfter);
      expect(await count(`startDate=${encodeURIComponent(inOffset(middle, 120))}`)).toBe(atOrAfter);
      expect(await count(`endDate=${inOffset(middle, -300)}`)).toBe(atOrBefore);
      expect(await count(`startDate=${middle}&endDate=${middle}`)).toBe(
        data.filter((r: any) => r.timestamp === middle).length,
      );
      const tomorrow = utcDate(new Date(Date.parse(lastDay) + 86_400_000));
      expect(await count(`startDate=${tomorrow}`)).toBe(0);
      expect(await count(`endDate=2000-01-01`)).toBe(0);
      expect(await count(`endDate=2000-01-01T00:00:00Z`)).toBe(0);
    });

    it("answers the proxy-scoped listing with processedAfter and processedBefore", async () => {
      const base = `${setup.base}/proxies/${setup.proxy.proxyId}/requests`;
      const all = (await get(base)).body.data;
      const middle = all[Math.floor(all.length / 2)].timestamp as string;

      expect(all).toHaveLength(FIRST_PROXY);
      expect((await get(`${base}?processedAfter=${middle}`)).body.data).toHaveLength(
        all.filter((r: any) => r.timestamp > middle).length,
      );
      expect((await get(`${base}?processedBefore=${middle}`)).body.data).toHaveLength(
        all.filter((r: any) => r.timestamp < middle).length,
      );
      expect((await get(`${base}?proxyId=${secondProxyId}`)).body).toEqual({
        data: [],
        nextCursor: null,
      });
      const one = all[0];
      expect((await get(`${base}/${one.requestId}`)).body).toEqual(one);
      expect((await get(`/api${base}?limit=1`)).body.data).toEqual([one]);
    });

    it("refuses a time range that can hold nothing, naming both bounds", async () => {
      const scoped = `${setup.base}/proxies/${setup.proxy.proxyId}/requests`;
      const at = "2024-05-01T10:00:00Z";
      const cases: [string, string, string][] = [
        [`requests?startDate=2024-05-01T10:00:01Z&endDate=${at}`, "startDate", "endDate"],
        // Compared as instants: 10:00 at -02:00 is noon UTC.
        [
          `requests?startDate=2024-05-01T10:00:00-02:00&endDate=2024-05-01T11:00:00Z`,
          "startDate",
          "endDate",
        ],
        // A bare end date is its whole day, and the day after begins past it.
        ["requests?startDate=2024-05-02&endDate=2024-05-01", "startDate", "endDate"],
        ["usage?startDate=2024-05-02&endDate=2024-05-01", "startDate", "endDate"],
        [
          `requests?processedAfter=${at}&processedBefore=${at}`,
          "processedAfter",
          "processedBefore",
        ],
        [
          `usage?processedAfter=2024-05-01T11:00:00Z&processedBefore=${at}`,
          "processedAfter",
          "processedBefore",
        ],
        [`requests?startDate=${at}&processedBefore=${at}`, "startDate", "processedBefore"],
        [`requests?processedAfter=${at}&endDate=${at}`, "processedAfter", "endDate"],
      ];
      for (const [query, first, second] of cases)
        for (const path of query.startsWith("requests")
          ? [`${setup.base}/${query}`, `${scoped}${query.slice("requests".length)}`]
          : [`${setup.base}/${query}`]) {
          const { status, body } = await get(path);
          expect({ path, status }).toEqual({ path, status: 400 });
          expect(body.error.code).toBe("invalid_input");
          expect(body.error.details).toEqual([
            { field: first, message: expect.stringContaining(second) },
          ]);
        }

      // One instant, or one day, is a range.
      for (const query of [
        `startDate=${at}&endDate=${at}`,
        `startDate=${lastDay}&endDate=${lastDay}`,
        "startDate=2024-05-01T12:00:00Z&endDate=2024-05-01",
      ]) {
        expect((await get(`${setup.base}/requests?${query}`)).status).toBe(200);
        expect((await get(`${setup.base}/usage?${query}`)).status).toBe(200);
      }
      expect(
        (await get(`${scoped}?processedAfter=${at}&processedBefore=2024-05-01T10:00:00.001Z`))
          .status,
      ).toBe(200);
    });

    it("reads one request by id, and 404s for what is missing or another client's", async () => {
      const { data } = (await get(`${setup.base}/requests`)).body;
      const mine = data[0];

      expect(await get(`${setup.base}/requests/${mine.requestId}`)).toEqual({
        status: 200,
        body: mine,
      });
      const missing = await get(`${setup.base}/requests/req_01HZZZZZZZZZZZZZZZZZZZZZZZ`);
      const foreign = await get(`${other.base}/requests/${mine.requestId}`);
      expect(missing.status).toBe(404);
      expect(foreign).toEqual(missing);
      expect(missing.body.error.code).toBe("not_found");

      const foreignProxy = await get(`${other.base}/requests?proxyId=${setup.proxy.proxyId}`);
      const missingProxy = await get(
        `${other.base}/requests?proxyId=prx_01HZZZZZZZZZZZZZZZZZZZZZZZ`,
      );
      expect(foreignProxy.status).toBe(404);
      expect(foreignProxy).toEqual(missingProxy);
      expect((await get(`${other.base}/proxies/${setup.proxy.proxyId}/requests`)).status).toBe(404);
      expect((await get(`${other.base}/usage?proxyId=${setup.proxy.proxyId}`)).status).toBe(404);
      expect((await get(`/clients/cli_01HZZZZZZZZZZZZZZZZZZZZZZZ/requests`)).status).toBe(404);
    });

    it("refuses malformed parameters with the error envelope naming the field", async () => {
      const otherPage = (await get(`${other.base}/requests?limit=1`)).body;
      expect(otherPage.nextCursor).not.toBeNull();
      const cases: [string, string][] = [
        ["startDate=2024-13-01", "startDate"],
        ["endDate=yesterday", "endDate"],
        ["startDate=2024-02-30", "startDate"],
        ["endDate=2024-05-01T25:00:00Z", "endDate"],
        ["limit=0", "limit"],
        ["limit=10001", "limit"],
        ["limit=2.5", "limit"],
        ["limit=ten", "limit"],
        ["cursor=not-a-cursor", "cursor"],
        [`cursor=${encodeURIComponent(otherPage.nextCursor)}`, "cursor"],
        ["status=done", "status"],
        ["limit=1&limit=2", "limit"],
      ];

      for (const [query, field] of cases) {
        const { status, body } = await get(`${setup.base}/requests?${query}`);
        expect({ query, status }).toEqual({ query, status: 400 });
        expect(body.error.code).toBe("invalid_input");
        expect(body.error.details.map((d: any) => d.field)).toContain(field);
      }
      const usage = await get(`${setup.base}/usage?groupBy=week&startDate=nope`);
      expect(usage.status).toBe(400);
      expect(usage.body.error.details.map((d: any) => d.field).sort()).toEqual([
        "groupBy",
        "startDate",
      ]);
      expect((await get(`${setup.base}/requests?limit=10000`)).status).toBe(200);
    });
  });
}

requestLogSuite("embedded PGlite");
afterAll(closeSharedPGlite);

describe.skipIf(!hasPostgres)("server Postgres", () => {
  requestLogSuite("server Postgres", () => freshPostgresSchema());
});
