/**
 * The event store contract: one suite, run against every SqlClient the store
 * runs on (embedded PGlite, server Postgres). Adapter test files add only
 * their quirks. Every test gets a fresh, migrated schema.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { compressFromChars } from "../../adapters/eventStore/eventData.ts";
import { storeCheckpointIn } from "../../adapters/eventStore/storeCheckpoint.ts";
import { checkpoints, events, streams } from "../../adapters/eventStore/tables.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import {
  comparePositions,
  expectAny,
  expectExact,
  expectNoStream,
  expectStreamExists,
  VersionConflictError,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from "../../core/eventStore/eventStore.ts";
import {
  conflictOf,
  deferred,
  event,
  expectConflict,
  range,
  readAllOnce,
  sleep,
  waitFor,
} from "./helpers.ts";

/** Answers a client on a schema of its own, not yet migrated. */
export type OpenSql = () => Promise<SqlClient>;

/** Retries come quickly in tests; polling keeps its production pace. */
export const testTiming = { retryMs: 50 };

export function eventStoreContract(name: string, openSql: OpenSql): void {
  describe(`event store contract on ${name}`, () => {
    let sql: SqlClient;
    let store: EventStore;

    beforeEach(async () => {
      sql = await openSql();
      await migrate(sql);
      store = createSqlEventStore(sql, testTiming);
    });

    afterEach(async () => {
      await store.close();
      await sql.close();
    });

    const appendTwo = (streamId: string) =>
      store.appendToStream(streamId, [event("One"), event("Two")], expectNoStream);

    describe("a stream that does not exist", () => {
      it("reads as empty at version 0", async () => {
        expect(await store.readStream("missing")).toEqual({ events: [], currentVersion: 0 });
      });

      it("accepts no_stream and starts at version 1", async () => {
        const result = await store.appendToStream("s", [event("Created")], expectNoStream);

        expect(result.nextVersion).toBe(1);
        expect((await store.readStream("s")).currentVersion).toBe(1);
      });

      it("accepts exact 0, which means no stream", async () => {
        const result = await store.appendToStream("s", [event("Created")], {
          kind: "exact",
          version: 0,
        });

        expect(result.nextVersion).toBe(1);
      });

      it("accepts any", async () => {
        expect((await store.appendToStream("s", [event("Created")], expectAny)).nextVersion).toBe(
          1,
        );
      });

      it("rejects stream_exists, reporting version 0", async () => {
        const error = await conflictOf(
          store.appendToStream("s", [event("Changed")], expectStreamExists),
        );

        expectConflict(error, "s", expectStreamExists, 0);
      });

      it("rejects an exact version, reporting version 0", async () => {
        const error = await conflictOf(
          store.appendToStream("s", [event("Changed")], expectExact(2)),
        );

        expectConflict(error, "s", expectExact(2), 0);
        expect((await store.readStream("s")).currentVersion).toBe(0);
      });
    });

    describe("a stream at version 2", () => {
      beforeEach(() => appendTwo("s").then(() => undefined));

      it("accepts its exact version", async () => {
        const result = await store.appendToStream("s", [event("Three")], expectExact(2));

        expect(result.nextVersion).toBe(3);
      });

      it("rejects an exact version behind it, reporting both versions", async () => {
        const error = await conflictOf(store.appendToStream("s", [event("Three")], expectExact(1)));

        expectConflict(error, "s", expectExact(1), 2);
        expect(error.message).toBe("version conflict on s: expected 1, actual 2");
      });

      it("rejects an exact version ahead of it", async () => {
        const error = await conflictOf(store.appendToStream("s", [event("Three")], expectExact(3)));

        expectConflict(error, "s", expectExact(3), 2);
      });

      it("rejects no_stream, reporting version 2", async () => {
        const error = await conflictOf(store.appendToStream("s", [event("Again")], expectNoStream));

        expectConflict(error, "s", expectNoStream, 2);
      });

      it("accepts stream_exists and any", async () => {
        await store.appendToStream("s", [event("Three")], expectStreamExists);
        const result = await store.appendToStream("s", [event("Four")], expectAny);

        expect(result.nextVersion).toBe(4);
      });

      it("writes nothing for a rejected append", async () => {
        await conflictOf(store.appendToStream("s", [event("X"), event("Y")], expectExact(1)));
        await conflictOf(store.appendToStream("s", [event("X")], expectNoStream));

        const { events: stream, currentVersion } = await store.readStream("s");
        expect(currentVersion).toBe(2);
        expect(stream.map((e) => e.type)).toEqual(["One", "Two"]);
        expect((await readAllOnce(store, 2)).length).toBe(2);
      });
    });

    describe("a batch of events in one append", () => {
      it("takes consecutive versions and positions in one transaction", async () => {
        const result = await store.appendToStream(
          "s",
          [event("A"), event("B"), event("C")],
          expectNoStream,
        );

        const { events: stream } = await store.readStream("s");
        expect(stream.map((e) => [e.type, e.streamVersion])).toEqual([
          ["A", 1],
          ["B", 2],
          ["C", 3],
        ]);
        expect(new Set(stream.map((e) => e.position.transactionId)).size).toBe(1);
        expectIncreasing(stream);
        expect(result).toEqual({ nextVersion: 3, lastPosition: stream[2]?.position });
      });

      it("keeps data and metadata as given, and when it was recorded", async () => {
        const data = { text: 'été ✓ "quoted" \\ slash', nested: { list: [1, null, true] } };
        const before = Date.now();
        await store.appendToStream(
          "s",
          [
            { type: "WithMetadata", data, metadata: { requestId: "req_1" } },
            { type: "WithoutMetadata", data: {} },
          ],
          expectNoStream,
        );

        const [first, second] = (await store.readStream("s")).events;
        expect(first).toMatchObject({ streamId: "s", data, metadata: { requestId: "req_1" } });
        expect(second?.metadata).toEqual({});
        expect(first?.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Date.parse(first?.recordedAt ?? "")).toBeGreaterThanOrEqual(before - 5_000);
        expect(typeof first?.position.transactionId).toBe("bigint");
        expect(typeof first?.position.sequence).toBe("bigint");
      });

      it("rejects an empty append", async () => {
        await expect(store.appendToStream("s", [], expectAny)).rejects.toThrow(/no events/);
      });
    });

    describe("large data", () => {
      // Past the threshold of eventData.ts, with text that JSON escapes.
      const large = {
        note: 'été ✓ "quoted" \\ slash',
        items: range(600).map((n) => ({ n, text: `item ${n} ${"x".repeat(n % 50)}` })),
      };
      const rawRow = async (type: string) =>
        (
          await sql.query<{ data: unknown; compressed: boolean }>(
            `SELECT ${events.data} AS data, ${events.compressedData} IS NOT NULL AS compressed
             FROM ${events.table} WHERE ${events.type} = $1`,
            [type],
          )
        ).rows[0];

      it("is stored compressed, and read back as given through every read", async () => {
        expect(JSON.stringify(large).length).toBeGreaterThan(compressFromChars);
        await store.appendToStream(
          "s",
          [event("Small", { text: "plain" }), event("Large", large)],
          expectNoStream,
        );

        expect(await rawRow("Large")).toEqual({ data: null, compressed: true });
        expect(await rawRow("Small")).toEqual({ data: { text: "plain" }, compressed: false });
        const { events: stream } = await store.readStream("s");
        expect(stream.map((e) => e.data)).toEqual([{ text: "plain" }, large]);
        const all = await readAllOnce(store, 2);
        expect(all.find((e) => e.type === "Large")?.data).toEqual(large);
        const filtered = await store.readAll(null, 10, { excludeStreamPrefix: "other-" });
        expect(filtered.events.find((e) => e.type === "Large")?.data).toEqual(large);
      });

      it("stays plain below the threshold", async () => {
        const small = { text: "y".repeat(compressFromChars - 100) };
        await store.appendToStream("s", [event("Small", small)], expectNoStream);

        expect(await rawRow("Small")).toEqual({ data: small, compressed: false });
      });
    });

    describe("appendMany", () => {
      it("appends to every stream and answers in the order given", async () => {
        await appendTwo("b");

        const results = await store.appendMany([
          { streamId: "c", events: [event("C1")], expected: expectNoStream },
          { streamId: "b", events: [event("B3"), event("B4")], expected: expectExact(2) },
          { streamId: "a", events: [event("A1")], expected: expectAny },
        ]);

        expect(results.map((r) => r.nextVersion)).toEqual([1, 4, 1]);
        const log = await readAllOnce(store, 6);
        expect(log.slice(2).map((e) => e.type)).toEqual(["C1", "B3", "B4", "A1"]);
        expect(results.map((r) => r.lastPosition)).toEqual([
          log[2]?.position,
          log[4]?.position,
          log[5]?.position,
        ]);
      });

      it("writes nothing in any stream when one expected version fails", async () => {
        await appendTwo("b");

        const error = await conflictOf(
          store.appendMany([
            { streamId: "a", events: [event("A1")], expected: expectNoStream },
            { streamId: "b", events: [event("B3")], expected: expectExact(1) },
            { streamId: "c", events: [event("C1")], expected: expectAny },
          ]),
        );

        expectConflict(error, "b", expectExact(1), 2);
        expect((await store.readStream("a")).currentVersion).toBe(0);
        expect((await store.readStream("b")).currentVersion).toBe(2);
        expect((await store.readStream("c")).currentVersion).toBe(0);
        expect((await readAllOnce(store, 2)).length).toBe(2);
      });

      it("appends to one stream twice in order", async () => {
        const results = await store.appendMany([
          { streamId: "s", events: [event("First")], expected: expectNoStream },
          { streamId: "s", events: [event("Second")], expected: expectExact(1) },
        ]);

        expect(results.map((r) => r.nextVersion)).toEqual([1, 2]);
        expect((await store.readStream("s")).events.map((e) => e.type)).toEqual([
          "First",
          "Second",
        ]);
      });
    });

    describe("readAll", () => {
      it("orders positions as numbers, not as text, across digit boundaries", async () => {
        await store.appendToStream(
          "wide",
          range(12).map(() => event("Many")),
          expectNoStream,
        );
        for (const n of range(12))
          await store.appendToStream(`s${n}`, [event("One")], expectNoStream);
        const all = await readAllOnce(store, 24);

        expect(all.filter((e) => e.streamId === "wide").map((e) => e.streamVersion)).toEqual(
          range(12).map((n) => n + 1),
        );
        expect(all.filter((e) => e.streamId !== "wide").map((e) => e.streamId)).toEqual(
          range(12).map((n) => `s${n}`),
        );
        expectIncreasing(all);
      });

      it("leaves out excluded streams and still moves past them", async () => {
        await store.appendToStream("config-1", [event("One")], expectNoStream);
        await store.appendToStream(
          "noise-1",
          range(5).map(() => event("Noise")),
          expectNoStream,
        );
        await store.appendToStream("config-2", [event("Two")], expectNoStream);
        await store.appendToStream("noise-2", [event("Noise")], expectNoStream);
        const all = await readAllOnce(store, 8);
        const filter = { excludeStreamPrefix: "noise-" };

        const first = await store.readAll(null, 10, filter);
        expect(first.events.map((e) => e.streamId)).toEqual(["config-1", "config-2"]);
        expect(first.position).toEqual(all.at(-1)!.position);

        const paged = await store.readAll(null, 1, filter);
        expect(paged.events.map((e) => e.streamId)).toEqual(["config-1"]);
        expect(paged.position).toEqual(all[0]!.position);

        await store.appendToStream("noise-3", [event("Noise")], expectNoStream);
        const quiet = await store.readAll(first.position, 10, filter);
        expect(quiet.events).toEqual([]);
        expect(comparePositions(quiet.position!, first.position!)).toBeGreaterThan(0);
        expect((await store.readAll(quiet.position, 10)).events).toEqual([]);
      });

      it("leaves out the streams of several excluded prefixes at once; an empty list excludes nothing", async () => {
        await store.appendToStream("config-1", [event("One")], expectNoStream);
        await store.appendToStream(
          "requests-1",
          range(3).map(() => event("Batch")),
          expectNoStream,
        );
        await store.appendToStream("async-1", [event("Accepted")], expectNoStream);
        // A prefix is taken literally: `_` and `%` match only themselves.
        await store.appendToStream("asyncX1", [event("Kept")], expectNoStream);
        await store.appendToStream("a_b-1", [event("Gone")], expectNoStream);
        await store.appendToStream("axb-1", [event("Kept")], expectNoStream);
        await store.appendToStream("config-2", [event("Two")], expectNoStream);
        await store.appendToStream("async-2", [event("Accepted")], expectNoStream);
        const all = await readAllOnce(store, 10);
        const filter = { excludeStreamPrefix: ["requests-", "async-", "a_b"] };

        const first = await store.readAll(null, 100, filter);
        expect(first.events.map((e) => e.streamId)).toEqual([
          "config-1",
          "asyncX1",
          "axb-1",
          "config-2",
        ]);
        expect(first.position).toEqual(all.at(-1)!.position);

        const paged = await store.readAll(null, 2, filter);
        expect(paged.events.map((e) => e.streamId)).toEqual(["config-1", "asyncX1"]);
        expect(paged.position).toEqual(all[5]!.position);
        const rest = await store.readAll(paged.position, 100, filter);
        expect(rest.events.map((e) => e.streamId)).toEqual(["axb-1", "config-2"]);

        // One prefix in a list reads as the same prefix given alone.
        expect(await store.readAll(null, 100, { excludeStreamPrefix: ["requests-"] })).toEqual(
          await store.readAll(null, 100, { excludeStreamPrefix: "requests-" }),
        );

        const none = await store.readAll(null, 100, { excludeStreamPrefix: [] });
        expect(none).toEqual(await store.readAll(null, 100));
        expect(none.events).toHaveLength(10);

        const included = await store.readAll(null, 100, {
          streamPrefix: "a",
          excludeStreamPrefix: ["async-", "a_"],
        });
        expect(included.events.map((e) => e.streamId)).toEqual(["asyncX1", "axb-1"]);
        expect(included.position).toEqual(all.at(-1)!.position);

        await store.appendToStream("requests-2", [event("Batch")], expectNoStream);
        await store.appendToStream("async-3", [event("Accepted")], expectNoStream);
        const quiet = await store.readAll(first.position, 100, filter);
        expect(quiet.events).toEqual([]);
        expect(comparePositions(quiet.position!, first.position!)).toBeGreaterThan(0);
        expect((await store.readAll(quiet.position, 100)).events).toEqual([]);
      });

      it("delivers to a subscription only the streams no excluded prefix names", async () => {
        const received: RecordedEvent[] = [];
        const subscription = store.subscribe({
          after: null,
          filter: { excludeStreamPrefix: ["requests-", "async-"] },
          handle: (batch) => void received.push(...batch),
        });
        await store.appendToStream("requests-1", [event("Batch")], expectNoStream);
        await store.appendToStream("config-1", [event("One")], expectNoStream);
        await store.appendToStream("async-1", [event("Accepted")], expectNoStream);
        await store.appendToStream("config-2", [event("Two")], expectNoStream);
        await waitFor(() => received.length >= 2);
        await store.appendToStream("config-3", [event("Three")], expectNoStream);
        await waitFor(() => received.length >= 3);
        await subscription.close();
        expect(received.map((e) => e.streamId)).toEqual(["config-1", "config-2", "config-3"]);
      });

      it("keeps only streams of an included prefix and still moves past the rest", async () => {
        await store.appendToStream("config-1", [event("One")], expectNoStream);
        await store.appendToStream("requests-1", [event("Batch")], expectNoStream);
        await store.appendToStream(
          "config-2",
          range(3).map(() => event("Two")),
          expectNoStream,
        );
        await store.appendToStream("requests-2", [event("Batch")], expectNoStream);
        await store.appendToStream("config-3", [event("Three")], expectNoStream);
        const all = await readAllOnce(store, 7);
        const filter = { streamPrefix: "requests-" };

        const first = await store.readAll(null, 10, filter);
        expect(first.events.map((e) => e.streamId)).toEqual(["requests-1", "requests-2"]);
        expect(first.position).toEqual(all.at(-1)!.position);

        const paged = await store.readAll(null, 1, filter);
        expect(paged.events.map((e) => e.streamId)).toEqual(["requests-1"]);
        expect(paged.position).toEqual(all[1]!.position);
        const rest = await store.readAll(paged.position, 10, filter);
        expect(rest.events.map((e) => e.streamId)).toEqual(["requests-2"]);

        const both = await store.readAll(null, 10, {
          streamPrefix: "requests-",
          excludeStreamPrefix: "requests-2",
        });
        expect(both.events.map((e) => e.streamId)).toEqual(["requests-1"]);
        expect(both.position).toEqual(all.at(-1)!.position);

        await store.appendToStream("config-4", [event("Four")], expectNoStream);
        const quiet = await store.readAll(first.position, 10, filter);
        expect(quiet.events).toEqual([]);
        expect(comparePositions(quiet.position!, first.position!)).toBeGreaterThan(0);
      });

      it("answers nothing and no position on an empty log", async () => {
        expect(await store.readAll(null)).toEqual({ events: [], position: null });
      });

      it("pages through the log in order and resumes from the position", async () => {
        for (const streamId of ["a", "b"]) await appendTwo(streamId);
        await store.appendToStream("a", [event("Three")], expectExact(2));
        const all = await readAllOnce(store, 5);

        const pages: RecordedEvent[][] = [];
        let position: GlobalPosition | null = null;
        for (;;) {
          const page = await store.readAll(position, 2);
          if (page.events.length === 0) {
            expect(page.position).toEqual(position);
            break;
          }
          pages.push(page.events);
          position = page.position;
        }

        expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
        expect(pages.flat()).toEqual(all);
        expect(all.map((e) => `${e.streamId}${e.streamVersion}`)).toEqual([
          "a1",
          "a2",
          "b1",
          "b2",
          "a3",
        ]);
        expectIncreasing(all);
        expect(position).toEqual(all[4]?.position);
      });
    });

    describe("subscribe", () => {
      it("delivers the log and then new events, in order, in batches", async () => {
        for (const streamId of ["a", "b", "c"]) await appendTwo(streamId);
        const received: RecordedEvent[] = [];
        const batches: number[] = [];

        const subscription = store.subscribe({
          after: null,
          batchSize: 4,
          handle: (batch) => {
            batches.push(batch.length);
            received.push(...batch);
          },
        });
        await waitFor(() => received.length === 6);
        await store.appendToStream("d", [event("Late")], expectNoStream);
        await waitFor(() => received.length === 7);
        await subscription.close();

        expect(received).toEqual(await readAllOnce(store, 7));
        expect(Math.max(...batches)).toBeLessThanOrEqual(4);
      });

      it("starts after the position it is given", async () => {
        await appendTwo("a");
        const [, second] = await readAllOnce(store, 2);
        await appendTwo("b");
        const received: string[] = [];

        const subscription = store.subscribe({
          after: second?.position ?? null,
          handle: (batch) => void received.push(...batch.map((e) => e.streamId + e.type)),
        });
        await waitFor(() => received.length === 2);
        await sleep(50);
        await subscription.close();

        expect(received).toEqual(["bOne", "bTwo"]);
      });

      it("hands a failing batch to onError and delivers it again", async () => {
        await appendTwo("a");
        const errors: unknown[] = [];
        const received: string[] = [];
        let calls = 0;

        const subscription = store.subscribe({
          after: null,
          handle: (batch) => {
            calls += 1;
            if (calls === 1) throw new Error("projection down");
            received.push(...batch.map((e) => e.type));
          },
          onError: (error) => errors.push(error),
        });
        await waitFor(() => received.length === 2);
        await subscription.close();

        expect(errors).toEqual([new Error("projection down")]);
        expect(received).toEqual(["One", "Two"]);
      });

      it("waits for the batch in flight on close, then stops reading", async () => {
        let reads = 0;
        const counted = createSqlEventStore(
          {
            ...sql,
            query: (text, params) => {
              reads += 1;
              return sql.query(text, params);
            },
          },
          testTiming,
        );
        await appendTwo("a");
        const release = deferred();
        let started = false;
        let finished = false;
        const received: string[] = [];

        const subscription = counted.subscribe({
          after: null,
          handle: async (batch) => {
            started = true;
            await release.promise;
            received.push(...batch.map((e) => e.type));
            finished = true;
          },
        });
        await waitFor(() => started);
        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await sleep(100);
        expect(closed).toBe(false);
        release.resolve();
        await closing;
        expect(finished).toBe(true);

        const readsAtClose = reads;
        await counted.appendToStream("b", [event("AfterClose")], expectNoStream);
        await sleep(400);
        expect(received).toEqual(["One", "Two"]);
        expect(reads).toBe(readsAtClose);
        await counted.close();
      });

      it("stops every subscription when the store closes", async () => {
        const received: string[] = [];
        store.subscribe({
          after: null,
          handle: (b) => void received.push(...b.map((e) => e.type)),
        });
        await appendTwo("a");
        await waitFor(() => received.length === 2);

        await store.close();
        await store.appendToStream("b", [event("AfterClose")], expectNoStream);
        await sleep(300);

        expect(received).toEqual(["One", "Two"]);
      });
    });

    describe("checkpoints", () => {
      const at = (transactionId: bigint, sequence: bigint): GlobalPosition => ({
        transactionId,
        sequence,
      });

      it("reads as null before the first is stored", async () => {
        expect(await store.readCheckpoint("proxy_table")).toBeNull();
      });

      it("stores the first only once", async () => {
        expect(await store.storeCheckpoint("p", null, at(10n, 1n))).toBe(true);
        expect(await store.storeCheckpoint("p", null, at(11n, 2n))).toBe(false);

        expect(await store.readCheckpoint("p")).toEqual(at(10n, 1n));
      });

      it("moves only from the position stored", async () => {
        await store.storeCheckpoint("p", null, at(10n, 1n));

        expect(await store.storeCheckpoint("p", at(10n, 2n), at(12n, 3n))).toBe(false);
        expect(await store.storeCheckpoint("p", at(9n, 1n), at(12n, 3n))).toBe(false);
        expect(await store.storeCheckpoint("p", at(10n, 1n), at(12n, 3n))).toBe(true);
        expect(await store.storeCheckpoint("p", at(10n, 1n), at(13n, 4n))).toBe(false);

        expect(await store.readCheckpoint("p")).toEqual(at(12n, 3n));
        expect(await store.readCheckpoint("other")).toBeNull();
      });

      it("keeps positions past 2^53 exact", async () => {
        const far = at(2n ** 60n + 7n, 2n ** 62n + 1n);
        await store.storeCheckpoint("p", null, far);

        expect(await store.readCheckpoint("p")).toEqual(far);
      });

      it("commits and rolls back with the caller's transaction", async () => {
        await sql
          .transaction(async (tx) => {
            expect(await storeCheckpointIn(tx, "p", null, at(5n, 1n))).toBe(true);
            throw new Error("read model write failed");
          })
          .catch(() => undefined);
        expect(await store.readCheckpoint("p")).toBeNull();

        const stored = await sql.transaction((tx) => storeCheckpointIn(tx, "p", null, at(5n, 1n)));
        expect(stored).toBe(true);
        expect(await store.readCheckpoint("p")).toEqual(at(5n, 1n));
      });
    });

    describe("concurrent appenders", () => {
      it("20 appenders on distinct streams lose and duplicate nothing", async () => {
        await Promise.all(
          range(20).map(async (worker) => {
            for (const n of range(5)) {
              await store.appendToStream(
                `s${worker}`,
                [event("Appended", { worker, n })],
                expectExact(n),
              );
            }
          }),
        );

        const log = await readAllOnce(store, 100);
        expect(log.length).toBe(100);
        expect(new Set(log.map((e) => `${e.data.worker}/${e.data.n}`)).size).toBe(100);
        expectIncreasing(log);
        for (const worker of range(20)) {
          const own = log.filter((e) => e.streamId === `s${worker}`);
          expect(own.map((e) => [e.streamVersion, e.data.n])).toEqual(
            range(5).map((n) => [n + 1, n]),
          );
        }
      });

      it("20 appenders creating one stream: exactly one wins", async () => {
        const outcomes = await Promise.allSettled(
          range(20).map((worker) =>
            store.appendToStream("one", [event("Created", { worker })], expectNoStream),
          ),
        );

        const won = outcomes.filter((o) => o.status === "fulfilled");
        const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
        expect(won.length).toBe(1);
        expect(lost.length).toBe(19);
        for (const error of lost) expectConflict(error, "one", expectNoStream, 1);
        expect((await store.readStream("one")).events.length).toBe(1);
      });

      it("20 appenders on one stream with exact versions: one winner per version", async () => {
        const wonVersions: number[] = [];
        let conflicts = 0;

        await Promise.all(
          range(20).map(async (worker) => {
            for (let n = 0; n < 3;) {
              const { currentVersion } = await store.readStream("one");
              try {
                const result = await store.appendToStream(
                  "one",
                  [event("Appended", { worker, n })],
                  expectExact(currentVersion),
                );
                wonVersions.push(result.nextVersion);
                n += 1;
              } catch (error) {
                if (!(error instanceof VersionConflictError)) throw error;
                expect(error.actual).toBeGreaterThan(currentVersion);
                conflicts += 1;
              }
            }
          }),
        );

        const { events: stream, currentVersion } = await store.readStream("one");
        expect(conflicts).toBeGreaterThan(0);
        expect(currentVersion).toBe(60);
        expect([...wonVersions].sort((a, b) => a - b)).toEqual(range(60).map((v) => v + 1));
        expect(stream.map((e) => e.streamVersion)).toEqual(range(60).map((v) => v + 1));
        expect(new Set(stream.map((e) => `${e.data.worker}/${e.data.n}`)).size).toBe(60);
      });
    });

    describe("schema", () => {
      it("has every table and column the queries name", async () => {
        const { rows } = await sql.query<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema()`,
        );
        const present = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));

        const named = [streams, events, checkpoints].flatMap(({ table, ...columns }) =>
          Object.values(columns).map((column) => `${table}.${column}`),
        );
        expect(named.filter((name) => !present.has(name))).toEqual([]);
      });
    });
  });
}

/** Log order: strictly increasing positions. */
export function expectIncreasing(log: RecordedEvent[]): void {
  for (const [i, e] of log.entries()) {
    const previous = log[i - 1];
    if (previous !== undefined) {
      expect(comparePositions(previous.position, e.position)).toBeLessThan(0);
    }
  }
}
