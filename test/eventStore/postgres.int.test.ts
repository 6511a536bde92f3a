/**
 * The contract on server Postgres, and what only server Postgres can show:
 * transactions that really run at once (field case C16, a late commit must
 * not be skipped) and notifications from another process.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendToStreamIn } from "../../adapters/eventStore/appendToStream.ts";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import {
  comparePositions,
  expectExact,
  expectNoStream,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from "../../core/eventStore/eventStore.ts";
import { freshPostgresSchema, freshSchemaName, hasPostgres } from "../support/stores.ts";
import { eventStoreContract, expectIncreasing, testTiming } from "./eventStore.contract.ts";
import { deferred, event, range, sleep, waitFor } from "./helpers.ts";

describe.skipIf(!hasPostgres)("server Postgres", () => {
  eventStoreContract("server Postgres", () => freshPostgresSchema());

  describe("quirks", () => {
    const applicationName = `ferry_${freshSchemaName()}`;
    let sql: SqlClient;
    let store: EventStore;
    // Transactions a failed test left open would hold the pool's close.
    let openTransactions: (() => Promise<void>)[] = [];

    beforeEach(async () => {
      openTransactions = [];
      sql = await freshPostgresSchema({ applicationName, max: 25 });
      await migrate(sql);
      store = createSqlEventStore(sql, testTiming);
    });

    afterEach(async () => {
      await Promise.all(openTransactions.map((commit) => commit()));
      await store.close();
      await sql.close();
    });

    /** A projection that reads the log page by page and moves its checkpoint by CAS. */
    const projection = (name: string) => {
      const seen: RecordedEvent[] = [];
      const state = { checkpoint: null as GlobalPosition | null };

      const catchUp = async () => {
        for (;;) {
          const page = await store.readAll(state.checkpoint, 7);
          if (page.position === null || page.events.length === 0) return;
          expect(await store.storeCheckpoint(name, state.checkpoint, page.position)).toBe(true);
          seen.push(...page.events);
          state.checkpoint = page.position;
        }
      };

      const catchUpTo = async (count: number) => {
        const deadline = Date.now() + 15_000;
        while (seen.length < count && Date.now() < deadline) {
          await catchUp();
          await sleep(20);
        }
      };

      return { seen, state, catchUp, catchUpTo };
    };

    /** Appends in a transaction (T1) that stays open until `commit()`. */
    const openTransaction = async (streamId: string) => {
      const appended = deferred();
      const commit = deferred();
      const state = { position: null as GlobalPosition | null };

      const done = sql.transaction(async (tx) => {
        const result = await appendToStreamIn(tx, streamId, [event("FromT1")], expectNoStream);
        state.position = result.lastPosition;
        appended.resolve();
        await commit.promise;
      });
      await appended.promise;

      const commitAndWait = async () => {
        commit.resolve();
        await done;
      };
      openTransactions.push(commitAndWait);
      return { state, commit: commitAndWait };
    };

    it("C16: a reader waits for a transaction in flight, then reads both events", async () => {
      const t1 = await openTransaction("t1");
      await store.appendToStream("t2", [event("FromT2")], expectNoStream);
      const reader = projection("c16");

      await reader.catchUp();
      const passed = reader.state.checkpoint;
      const t1Position = t1.state.position;
      expect(reader.seen.map((e) => e.type)).not.toContain("FromT1");
      expect(t1Position).not.toBeNull();
      if (passed !== null && t1Position !== null) {
        expect(comparePositions(passed, t1Position)).toBeLessThan(0);
      }

      await t1.commit();
      await reader.catchUpTo(2);

      // T1 started first, so its event comes first in the log.
      expect(reader.seen.map((e) => e.type)).toEqual(["FromT1", "FromT2"]);
      expect(await store.readCheckpoint("c16")).toEqual(reader.seen[1]?.position);
    });

    it("C16: a subscription delivers nothing past a transaction in flight", async () => {
      const received: RecordedEvent[] = [];
      const subscription = store.subscribe({
        after: null,
        handle: (batch) => void received.push(...batch),
      });
      const t1 = await openTransaction("t1");
      await store.appendToStream("t2", [event("FromT2")], expectNoStream);

      await sleep(500);
      expect(received).toEqual([]);

      await t1.commit();
      await waitFor(() => received.length === 2);
      await subscription.close();
      expect(received.map((e) => e.type)).toEqual(["FromT1", "FromT2"]);
    });

    it("C16: 20 appenders committing late while a projection reads: every event once", async () => {
      const reader = projection("c16_many");
      const delivered: RecordedEvent[] = [];
      const subscription = store.subscribe({
        after: null,
        batchSize: 13,
        handle: (batch) => void delivered.push(...batch),
      });
      let appending = true;
      const reading = (async () => {
        while (appending) {
          await reader.catchUp();
          await sleep(2);
        }
      })();

      // Each append's transaction stays open a random while after drawing
      // its positions, so younger transactions often commit first.
      await Promise.all(
        range(20).map(async (worker) => {
          for (const n of range(5)) {
            await sql.transaction(async (tx) => {
              await appendToStreamIn(
                tx,
                `w${worker}`,
                [event("Appended", { worker, n })],
                expectExact(n),
              );
              await sleep(Math.random() * 25);
            });
          }
        }),
      );
      appending = false;
      await reading;
      await reader.catchUpTo(100);
      await waitFor(() => delivered.length >= 100, 15_000);
      await subscription.close();

      for (const seen of [reader.seen, delivered]) {
        expect(seen.length).toBe(100);
        expect(new Set(seen.map((e) => `${e.data.worker}/${e.data.n}`)).size).toBe(100);
        expectIncreasing(seen);
      }
      expect(delivered).toEqual(reader.seen);
    });

    describe("notifications", () => {
      /** A second process: its own pool on the same schema, its own store. */
      const otherProcess = async () => {
        const { rows } = await sql.query<{ schema: string }>("SELECT current_schema() AS schema");
        const other = await openPostgres({
          connectionString: process.env.DATABASE_URL ?? "",
          schema: rows[0]?.schema ?? "",
        });
        return { other, store: createSqlEventStore(other) };
      };

      /** With the safety poll out of the way, only a notification wakes the reader. */
      const subscribeNotified = (received: RecordedEvent[]) =>
        createSqlEventStore(sql, { safetyPollMs: 60_000 }).subscribe({
          after: null,
          handle: (batch) => void received.push(...batch),
        });

      it("wakes a subscription on another process's append", async () => {
        const received: RecordedEvent[] = [];
        const subscription = subscribeNotified(received);
        const second = await otherProcess();
        await sleep(200);

        await second.store.appendToStream("s", [event("Elsewhere")], expectNoStream);
        await waitFor(() => received.length === 1, 3_000);

        await subscription.close();
        await second.other.close();
      });

      it("listens again after the server drops the listening connection", async () => {
        const received: RecordedEvent[] = [];
        const subscription = subscribeNotified(received);
        const second = await otherProcess();
        await sleep(200);

        const { rows } = await sql.query<{ ended: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
           WHERE application_name = $1`,
          [`${applicationName}:listen`],
        );
        expect(rows.map((r) => r.ended)).toEqual([true]);
        // Past the reconnect (1 s) and the fast polls its wake-up starts (2 s):
        // only a notification on the new connection can deliver in time now.
        await sleep(3_500);

        await second.store.appendToStream("s", [event("AfterReconnect")], expectNoStream);
        await waitFor(() => received.length === 1, 3_000);

        await subscription.close();
        await second.other.close();
      });
    });
  });
});
