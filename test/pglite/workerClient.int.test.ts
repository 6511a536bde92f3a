/**
 * What the worker-thread client must keep from PGlite in-thread: the same
 * values, errors with their Postgres fields, and transactions that roll back
 * and keep other statements out. Each check runs the same SQL both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { deferred, sleep } from "../eventStore/helpers.ts";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { closeSharedWorker, sharedWorkerPGlite } from "./sharedWorker.ts";

let inThread: SqlClient;
let worker: SqlClient;

beforeAll(async () => {
  [worker, inThread] = await Promise.all([sharedWorkerPGlite(), sharedPGlite()]);
  for (const sql of [worker, inThread]) {
    await sql.exec("CREATE TABLE item (id integer PRIMARY KEY, note text)");
  }
});

afterAll(async () => {
  await Promise.all([worker.close(), inThread.close()]);
  await Promise.all([closeSharedWorker(), closeSharedPGlite()]);
});

/** The rejection `promise` ends in; fails when it resolves. */
const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );

const fieldsOf = (error: unknown) => {
  const { message, code, severity, detail, constraint, table } = error as Record<string, unknown>;
  return { message, code, severity, detail, constraint, table };
};

describe("values", () => {
  const everyType = `
    SELECT 1::int4 AS int4, 9007199254740993::int8 AS big, 42::int8 AS small_int8,
           1.50::numeric AS numeric, 2.5::float8 AS float8, true AS bool, NULL AS nothing,
           'żółw ✓'::text AS text, '2024-02-29T12:34:56.789Z'::timestamptz AS at,
           '2024-02-29'::date AS day, interval '1 day 2 hours' AS span,
           '6f1c0d52-8c2e-4f3e-9d59-5c2b1f3a7e10'::uuid AS id,
           '{"a": [1, {"b": null}], "c": "d"}'::jsonb AS doc, '[1, 2]'::json AS list,
           '\\x00ff10'::bytea AS bytes, ARRAY[1, 2, 3] AS ints, ARRAY['x', NULL] AS texts,
           9007199254740993::int8::text AS big_text`;

  it("answers rows equal to the in-thread client's, type for type", async () => {
    const [fromWorker, fromThread] = await Promise.all([
      worker.query(everyType),
      inThread.query(everyType),
    ]);
    const row = fromWorker.rows[0] ?? {};

    expect(fromWorker).toEqual(fromThread);
    expect(row.at).toBeInstanceOf(Date);
    expect(row.bytes).toBeInstanceOf(Uint8Array);
    expect(typeof row.big).toBe(typeof fromThread.rows[0]?.big);
    expect(row.big_text).toBe("9007199254740993");
    expect(row.doc).toEqual({ a: [1, { b: null }], c: "d" });
  });

  it("takes parameters of every kind as the in-thread client does", async () => {
    const text = `SELECT $1::timestamptz AS at, $2::bytea AS bytes, $3::jsonb AS doc,
                         $4::int8 AS big, $5::text AS nothing, $6::int[] AS ints`;
    const params = [
      new Date("2024-02-29T12:34:56.789Z"),
      new Uint8Array([0, 255, 16]),
      { a: [1, { b: null }] },
      9007199254740993n,
      null,
      [1, 2],
    ];

    const [fromWorker, fromThread] = await Promise.all([
      worker.query(text, params),
      inThread.query(text, params),
    ]);

    expect(fromWorker).toEqual(fromThread);
    expect(fromWorker.rows[0]?.doc).toEqual({ a: [1, { b: null }] });
  });

  it("rejects a parameter that cannot cross to the worker, and stays usable", async () => {
    const error = await rejectionOf(worker.query("SELECT $1::text", [() => "no"]));

    expect(error).toBeInstanceOf(Error);
    expect((await worker.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});

describe("errors", () => {
  it("keeps a unique violation's code, message and fields (23505)", async () => {
    const insert = "INSERT INTO item (id) VALUES (1) ON CONFLICT DO NOTHING";
    await Promise.all([worker.query(insert), inThread.query(insert)]);
    const duplicate = "INSERT INTO item (id) VALUES (1)";

    const [fromWorker, fromThread] = await Promise.all([
      rejectionOf(worker.query(duplicate)),
      rejectionOf(inThread.query(duplicate)),
    ]);

    expect(fromWorker).toBeInstanceOf(Error);
    expect(fromWorker).toBeInstanceOf((fromThread as object).constructor);
    expect(fieldsOf(fromWorker)).toEqual(fieldsOf(fromThread));
    expect(fieldsOf(fromWorker)).toMatchObject({ code: "23505", constraint: "item_pkey" });
  });

  it("keeps a serialization failure's code (40001), inside a transaction too", async () => {
    const raise = `DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$`;

    const plain = await rejectionOf(worker.exec(raise));
    const inTransaction = await rejectionOf(worker.transaction((tx) => tx.exec(raise)));

    for (const error of [plain, inTransaction]) {
      expect(fieldsOf(error)).toMatchObject({ code: "40001", message: "could not serialize" });
    }
  });

  it("rejects a commit of an aborted transaction as the in-thread client does", async () => {
    const swallowFailure = (sql: SqlClient) =>
      rejectionOf(
        sql.transaction(async (tx) => {
          await tx.query("SELECT 1 / 0").catch(() => undefined);
        }),
      );

    const [fromWorker, fromThread] = await Promise.all([
      swallowFailure(worker),
      swallowFailure(inThread),
    ]);

    expect(fieldsOf(fromWorker)).toEqual(fieldsOf(fromThread));
  });
});

describe("transactions", () => {
  const count = async (sql: SqlClient, id: number) =>
    (await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM item WHERE id = $1", [id]))
      .rows[0]?.n;

  it("rolls back when the function throws, and rethrows that very error", async () => {
    const thrown = new Error("caller gave up");

    const error = await rejectionOf(
      worker.transaction(async (tx) => {
        await tx.query("INSERT INTO item (id) VALUES (10)");
        throw thrown;
      }),
    );

    expect(error).toBe(thrown);
    expect(await count(worker, 10)).toBe(0);
  });

  it("commits when the function resolves, and answers its value", async () => {
    const value = await worker.transaction(async (tx) => {
      await tx.query("INSERT INTO item (id) VALUES (11)");
      const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM item");
      return rows[0]?.n;
    });

    expect(value).toBeGreaterThan(0);
    expect(await count(worker, 11)).toBe(1);
  });

  it("keeps a query sent while it is open out of it: the query waits its turn", async () => {
    const inserted = deferred();
    const finish = deferred();
    const thrown = new Error("roll back");

    const transaction = worker.transaction(async (tx) => {
      await tx.query("INSERT INTO item (id) VALUES (20)");
      inserted.resolve();
      await finish.promise;
      throw thrown;
    });
    await inserted.promise;

    let settled = false;
    const outside = worker.query("INSERT INTO item (id) VALUES (21) RETURNING id").finally(() => {
      settled = true;
    });
    const seen = count(worker, 20);
    await sleep(200);
    expect(settled).toBe(false);

    finish.resolve();
    expect(await rejectionOf(transaction)).toBe(thrown);

    // Had the outside insert joined the transaction, it would have rolled back with it.
    expect((await outside).rows).toEqual([{ id: 21 }]);
    expect(await seen).toBe(0);
    expect(await count(worker, 21)).toBe(1);
  });

  it("refuses statements of a transaction that is over", async () => {
    let leaked: Parameters<Parameters<SqlClient["transaction"]>[0]>[0] | null = null;
    await worker.transaction(async (tx) => {
      leaked = tx;
    });

    const error = await rejectionOf(leaked!.query("SELECT 1"));

    expect((error as Error).message).toMatch(/transaction is already over/);
  });
});
