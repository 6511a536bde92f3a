import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../postgres/openPostgres.ts";
import {
  closeSharedPGlite,
  freshPostgresSchema,
  hasPostgres,
  sharedPGlite,
} from "../../test/support/stores.ts";
import { migrate } from "./migrate.ts";
import type { SqlClient } from "./sqlClient.ts";

const recorded = async (sql: SqlClient) =>
  (
    await sql.query<{ version: number; name: string }>(
      "SELECT version, name FROM ferry_migrations ORDER BY version",
    )
  ).rows;

describe("migrate on embedded PGlite", () => {
  let sql: SqlClient;
  let folder: string;
  let directory: URL;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "ferry-migrations-"));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await closeSharedPGlite();
  });

  let testCount = 0;
  beforeEach(async () => {
    sql = await sharedPGlite();
    directory = pathToFileURL(join(folder, String(testCount++), "/"));
    await mkdir(directory);
  });

  afterEach(() => sql.close());

  const file = (name: string, text: string) => writeFile(new URL(name, directory), text);

  it("applies the repository's migrations once, event store first", async () => {
    const first = await migrate(sql);
    const second = await migrate(sql);

    expect(first[0]).toBe("001_event_store.sql");
    expect(second).toEqual([]);
    expect((await recorded(sql)).map((row) => row.name)).toEqual(first);
  });

  it("applies files in version order and picks up new ones later", async () => {
    await file("002_add_column.sql", "ALTER TABLE things ADD COLUMN label text;");
    await file("001_create.sql", "-- 001: things\nCREATE TABLE things (id int);");
    await file("notes.txt", "not a migration");
    await file("01_short.sql", "not a migration either");

    expect(await migrate(sql, { directory })).toEqual(["001_create.sql", "002_add_column.sql"]);

    await file("003_insert.sql", "INSERT INTO things (id, label) VALUES (1, 'one');");
    expect(await migrate(sql, { directory })).toEqual(["003_insert.sql"]);
    expect(await recorded(sql)).toEqual([
      { version: 1, name: "001_create.sql" },
      { version: 2, name: "002_add_column.sql" },
      { version: 3, name: "003_insert.sql" },
    ]);
  });

  it("applies nothing when one pending migration fails", async () => {
    await file("001_create.sql", "CREATE TABLE things (id int);");
    await file("002_broken.sql", "CREATE TABLE broken (;");

    await expect(migrate(sql, { directory })).rejects.toThrow();

    const { rows } = await sql.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    );
    expect(rows).toEqual([]);
  });

  it("refuses two files with one version", async () => {
    await file("001_one.sql", "SELECT 1;");
    await file("001_other.sql", "SELECT 1;");

    await expect(migrate(sql, { directory })).rejects.toThrow(/share version 1/);
  });
});

describe.skipIf(!hasPostgres)("migrate on server Postgres", () => {
  it("is safe when two processes start at once", async () => {
    const first = await freshPostgresSchema();
    const { rows } = await first.query<{ schema: string }>("SELECT current_schema() AS schema");
    const second = await openPostgres({
      connectionString: process.env.DATABASE_URL ?? "",
      schema: rows[0]?.schema ?? "",
    });

    try {
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);

      expect([...a, ...b].sort()).toEqual((a.length > 0 ? a : b).sort());
      expect(a.length === 0 || b.length === 0).toBe(true);
      expect((await recorded(first)).map((row) => row.name)).toEqual(a.length > 0 ? a : b);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
