/**
 * The two stores the secrets suite runs on, each with what the suite needs
 * beyond `SqlClient`: a second client (another connection on server
 * Postgres, where two processes can really race) and the raw bytes of a
 * table's heap file, to look for key material on disk.
 */
import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { pgliteClient } from "../../adapters/pglite/pgliteClient.ts";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import type { SqlClient, SqlExecutor } from "../../adapters/sql/sqlClient.ts";

export type SecretsStore = {
  sql: SqlClient;
  /** A second client on the same database. */
  other: SqlClient;
  /** The bytes of `table`'s heap file, after a checkpoint. */
  tableFile(table: string): Promise<Buffer>;
  close(): Promise<void>;
};

const migration = new URL("../../adapters/sql/migrations/002_data_keys.sql", import.meta.url);

/** Applies the data keys migration, twice, since it must be idempotent. */
export const applyDataKeysMigration = async (sql: SqlExecutor): Promise<void> => {
  const script = await readFile(migration, "utf8");
  await sql.exec(script);
  await sql.exec(script);
};

const tableFileOf = (sql: SqlExecutor) => async (table: string) => {
  await sql.exec("CHECKPOINT");
  const { rows } = await sql.query<{ bytes: Uint8Array }>(
    "SELECT pg_read_binary_file(pg_relation_filepath($1::regclass)) AS bytes",
    [table],
  );
  return Buffer.from(rows[0]!.bytes);
};

export const openPGliteStore = async (): Promise<SecretsStore> => {
  const db = await PGlite.create();
  const sql = pgliteClient(db, { close: () => db.close() });
  await applyDataKeysMigration(sql);
  return { sql, other: sql, tableFile: tableFileOf(sql), close: () => sql.close() };
};

/** Server Postgres in a schema of its own, dropped on close. */
export const openPostgresStore = async (connectionString: string): Promise<SecretsStore> => {
  const schema = `secrets_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);

  // Two pools: two processes, whose first seals for a client really race.
  const sql = await openPostgres({ connectionString, schema, max: 4 });
  const other = await openPostgres({ connectionString, schema, max: 4 });
  await applyDataKeysMigration(sql);

  return {
    sql,
    other,
    tableFile: tableFileOf(sql),
    close: async () => {
      await sql.close();
      await other.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
};
