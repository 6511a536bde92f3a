/**
 * The queue's sweep (spec §5: no request sits queued without a next
 * attempt) and its claim, on both stores: a row lost or left behind its
 * events is written again from them, a row without a due time is made due,
 * and old idempotency keys go.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { evolveAsync, startAttempt, type AsyncRequest } from "../../core/async/asyncRequest.ts";
import { defaultRetryPolicy } from "../../core/async/retryPolicy.ts";
import type { AsyncEvent } from "../../core/domain/asyncEvents.ts";
import { VersionConflictError } from "../../core/eventStore/eventStore.ts";
import { claim, submit, transition } from "../../adapters/asyncQueue/asyncQueue.ts";
import { sweepQueue } from "../../adapters/asyncQueue/sweep.ts";
import { asyncRequests as t } from "../../adapters/asyncQueue/tables.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import {
  closeSharedPGlite,
  freshPostgresSchema,
  hasPostgres,
  sharedPGlite,
} from "../support/stores.ts";

afterAll(closeSharedPGlite);

const now = new Date("2026-12-03T10:00:00.000Z");
let counter = 0;

const accepted = (idempotencyKey: string | null = null) => {
  const requestId = `req_${(counter++).toString().padStart(26, "0")}`;
  const event = {
    type: "AsyncRequestAccepted",
    data: {
      requestId,
      clientId: "cli_1",
      proxyId: "prx_1",
      method: "POST",
      path: "/hooks",
      query: "",
      payload: { v: 1, keyId: "dk_1", iv: "aXY", ciphertext: "Y3Q" },
      bodyBytes: 2,
      idempotencyKey,
      at: now.toISOString(),
    },
  } satisfies AsyncEvent;
  return { event, state: evolveAsync(null, event)! };
};

const rowOf = async (sql: SqlClient, requestId: string) =>
  (
    await sql.query<{ status: string; version: number; next_attempt_at: unknown }>(
      `SELECT status, version, next_attempt_at FROM ${t.table} WHERE request_id = $1`,
      [requestId],
    )
  ).rows[0];

function repairSuite(name: string, open: () => Promise<SqlClient>) {
  describe(`the queue on ${name}`, () => {
    let sql: SqlClient;
    beforeEach(async () => {
      sql = await open();
      await migrate(sql);
    });
    afterEach(() => sql.close());

    it("writes a lost row again from its events, and the request can be claimed", async () => {
      const { event, state } = accepted();
      await submit(sql, { accepted: event }, state);
      await sql.query(`DELETE FROM ${t.table} WHERE request_id = $1`, [state.requestId]);
      expect(await claim(sql, { workerId: "w", now, limit: 10, leaseUntil: now })).toEqual([]);

      const report = await sweepQueue(sql, now);
      expect(report.repaired).toBe(1);
      expect(await rowOf(sql, state.requestId)).toMatchObject({ status: "queued", version: 1 });

      // A later sweep searches only acceptances after the last one it saw.
      await sql.query(`DELETE FROM ${t.table} WHERE request_id = $1`, [state.requestId]);
      expect((await sweepQueue(sql, now, report.checkedThrough)).repaired).toBe(0);
      expect((await sweepQueue(sql, now)).repaired).toBe(1);
      const claimed = await claim(sql, {
        workerId: "w",
        now,
        limit: 10,
        leaseUntil: new Date(now.getTime() + 1000),
      });
      expect(claimed).toEqual([{ requestId: state.requestId, clientId: "cli_1" }]);
    });

    it("brings a row behind its stream level with it", async () => {
      const { event, state } = accepted();
      await submit(sql, { accepted: event }, state);
      const clock = { now, policy: defaultRetryPolicy, random: () => 0.5 };
      const flying: AsyncRequest = await transition(sql, state, startAttempt(state, "w", clock));
      expect(flying.status).toBe("in_flight");
      await sql.query(
        `UPDATE ${t.table} SET status = 'queued', version = 1 WHERE request_id = $1`,
        [state.requestId],
      );

      expect((await sweepQueue(sql, now)).repaired).toBe(1);
      expect(await rowOf(sql, state.requestId)).toMatchObject({ status: "in_flight", version: 2 });
      expect((await sweepQueue(sql, now)).repaired).toBe(0);
    });

    it("makes an unfinished row without a due time due now", async () => {
      const { event, state } = accepted();
      await submit(sql, { accepted: event }, state);
      await sql.query(`UPDATE ${t.table} SET next_attempt_at = NULL WHERE request_id = $1`, [
        state.requestId,
      ]);
      const later = new Date(now.getTime() + 60_000);
      expect((await sweepQueue(sql, later)).rescheduled).toBe(1);
      const claimed = await claim(sql, { workerId: "w", now: later, limit: 10, leaseUntil: later });
      expect(claimed.map((c) => c.requestId)).toEqual([state.requestId]);
    });

    it("refuses a transition from a state the stream has moved past, writing nothing", async () => {
      const { event, state } = accepted();
      await submit(sql, { accepted: event }, state);
      const clock = { now, policy: defaultRetryPolicy, random: () => 0.5 };
      await transition(sql, state, startAttempt(state, "a", clock));
      await expect(transition(sql, state, startAttempt(state, "b", clock))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      const { rows } = await sql.query(`SELECT 1 FROM ferry_events WHERE stream_id = $1`, [
        `async-${state.requestId}`,
      ]);
      expect(rows).toHaveLength(2);
      expect(await rowOf(sql, state.requestId)).toMatchObject({ version: 2 });
    });

    it("answers the first request for an idempotency key within 24 hours, and forgets older keys", async () => {
      const first = accepted("key-1");
      const second = accepted("key-1");
      expect(await submit(sql, { accepted: first.event }, first.state)).toMatchObject({
        duplicate: false,
      });
      expect(await submit(sql, { accepted: second.event }, second.state)).toEqual({
        requestId: first.state.requestId,
        status: "queued",
        duplicate: true,
      });
      const { rows } = await sql.query(`SELECT 1 FROM ferry_events WHERE stream_id = $1`, [
        `async-${second.state.requestId}`,
      ]);
      expect(rows).toEqual([]);

      const dayLater = new Date(now.getTime() + 24 * 60 * 60_000 + 1);
      expect((await sweepQueue(sql, dayLater)).expiredKeys).toBe(1);
      const third = accepted("key-1");
      expect(await submit(sql, { accepted: third.event }, third.state)).toMatchObject({
        requestId: third.state.requestId,
        duplicate: false,
      });
    });
  });
}

repairSuite("embedded PGlite", sharedPGlite);
if (hasPostgres) repairSuite("Postgres", () => freshPostgresSchema());
