/**
 * The worker's life: a data folder that outlives it, a close that rejects
 * what is still out and lets the process go, and opening errors that say why.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPGliteWorker } from "../../adapters/pglite/openPGliteWorker.ts";
import { deferred } from "../eventStore/helpers.ts";

let folder: string;
let dataDir: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "ferry-pglite-worker-"));
  dataDir = join(folder, "store");

  const sql = await openPGliteWorker({ dataDir });
  await sql.exec("CREATE TABLE kept (id integer PRIMARY KEY)");
  await sql.query("INSERT INTO kept (id) VALUES (1)");
  await sql.close();
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const reasonOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === "rejected" ? (outcome.reason as Error).message : "resolved";

const idsIn = async (dir: string) => {
  const sql = await openPGliteWorker({ dataDir: dir });
  try {
    const { rows } = await sql.query<{ id: number }>("SELECT id FROM kept ORDER BY id");
    return rows.map((row) => row.id);
  } finally {
    await sql.close();
  }
};

describe("a data folder", () => {
  it("keeps its data when reopened in a new worker", async () => {
    expect(await idsIn(dataDir)).toEqual([1]);
  });

  it("keeps a schema's tables across a reopen", async () => {
    const first = await openPGliteWorker({ dataDir, schema: "ferry" });
    await first.exec("CREATE TABLE IF NOT EXISTS note (body text)");
    await first.query("INSERT INTO note (body) VALUES ('kept')");
    await first.close();

    const second = await openPGliteWorker({ dataDir, schema: "ferry" });
    const { rows } = await second.query("SELECT body FROM note");
    await second.close();

    expect(rows).toEqual([{ body: "kept" }]);
  });
});

describe("close", () => {
  it("rejects the calls still out, and runs none of the queued ones", async () => {
    const sql = await openPGliteWorker({ dataDir });
    const inserted = deferred();
    const release = deferred();

    const transaction = sql.transaction(async (tx) => {
      await tx.query("INSERT INTO kept (id) VALUES (2)");
      inserted.resolve();
      await release.promise;
      await tx.query("INSERT INTO kept (id) VALUES (3)");
    });
    await inserted.promise;
    // Waits behind the open transaction in the worker.
    const queued = sql.query("INSERT INTO kept (id) VALUES (4)");
    const outcomes = Promise.allSettled([queued, transaction]);

    await sql.close();
    release.resolve();

    expect((await outcomes).map(reasonOf)).toEqual(["PGlite is closed", "PGlite is closed"]);
    await expect(sql.query("SELECT 1")).rejects.toThrow("PGlite is closed");
    expect(await idsIn(dataDir)).toEqual([1]);
  });

  it("is idempotent", async () => {
    const sql = await openPGliteWorker({ dataDir });

    await Promise.all([sql.close(), sql.close()]);
    await sql.close();
  });
});

describe("a process on the worker", () => {
  /** Runs `workerChild.ts`; answers its line and how long it took to exit after printing it. */
  const runChild = async (mode: string, dir: string) => {
    const child = Bun.spawn(
      [process.execPath, new URL("./workerChild.ts", import.meta.url).pathname, mode, dir],
      { stdout: "pipe", stderr: "pipe" },
    );
    const timer = setTimeout(() => child.kill(), 30_000);

    const line = await new Response(child.stdout).text();
    const printed = performance.now();
    const code = await child.exited;
    clearTimeout(timer);

    return {
      code,
      output: line.trim() === "" ? null : JSON.parse(line),
      exitMs: performance.now() - printed,
      stderr: await new Response(child.stderr).text(),
    };
  };

  it("exits within a moment of closing", async () => {
    const run = await runChild("close", dataDir);

    expect(run.stderr).toBe("");
    expect(run).toMatchObject({ code: 0, output: { rows: [{ n: 1 }] } });
    expect(run.exitMs).toBeLessThan(2_000);
  });

  it("exits too when it never closes: an idle worker holds nothing open", async () => {
    const run = await runChild("forget", dataDir);

    expect(run).toMatchObject({ code: 0, output: { rows: [{ n: 1 }] } });
    expect(run.exitMs).toBeLessThan(2_000);
    // Postgres recovers from the unclean stop on the next open.
    expect(await idsIn(dataDir)).toEqual([1]);
  });

  it("gets the reason a data folder cannot be opened, then exits", async () => {
    const file = join(folder, "a-file");
    await writeFile(file, "not a folder");

    const run = await runChild("bad", join(file, "store"));

    expect(run.code).toBe(0);
    expect(run.output.message).toMatch(/^cannot open PGlite in .*a-file\/store: ENOTDIR/);
    expect(run.exitMs).toBeLessThan(2_000);
  });
});

it("rejects the open of a data folder that cannot be used, with the reason", async () => {
  const file = join(folder, "another-file");
  await writeFile(file, "not a folder");

  await expect(openPGliteWorker({ dataDir: join(file, "store") })).rejects.toThrow(/ENOTDIR/);
});
