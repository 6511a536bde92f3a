/**
 * Stores for tests. Each call answers a `SqlClient` on a schema of its own,
 * not yet migrated, so test files (and tests) never see each other's rows.
 *
 * - `sharedPGlite()`: one in-memory PGlite per test process, opened on first
 *   use (it takes seconds); close it in `afterAll` with `closeSharedPGlite()`
 *   (an unclosed PGlite holds the process open at exit).
 * - `freshPostgresSchema()`: server Postgres at `DATABASE_URL`; the schema is
 *   dropped when the client closes. Guard with `describe.skipIf(!hasPostgres)`.
 */
import { PGlite } from "@electric-sql/pglite";
import { pgliteClient } from "../../adapters/pglite/pgliteClient.ts";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { sqlIdentifier } from "../../adapters/sql/identifier.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";

export const hasPostgres = Boolean(process.env.DATABASE_URL);

let shared: Promise<PGlite> | null = null;
let schemaCount = 0;

/** A fresh schema name, unique across processes and calls. */
export const freshSchemaName = (): string =>
  `t_${process.pid}_${Date.now().toString(36)}_${(schemaCount++).toString(36)}`;

export async function sharedPGlite(): Promise<SqlClient> {
  shared ??= PGlite.create();
  const db = await shared;

  const schema = freshSchemaName();
  await db.exec(`CREATE SCHEMA ${sqlIdentifier(schema)}`);

  return pgliteClient(db, {
    schema,
    close: async () => {
      if (!db.closed) await db.exec(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
    },
  });
}

export async function closeSharedPGlite(): Promise<void> {
  const closing = shared;
  shared = null;
  await (await closing)?.close();
}

// A fallback for a test file that forgot its afterAll.
process.once("beforeExit", () => void closeSharedPGlite());

export async function freshPostgresSchema(
  options: { applicationName?: string; max?: number } = {},
): Promise<SqlClient> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("freshPostgresSchema needs DATABASE_URL");

  const schema = freshSchemaName();
  const sql = await openPostgres({ connectionString, schema, ...options });

  return {
    ...sql,
    close: async () => {
      try {
        await sql.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
      } finally {
        await sql.close();
      }
    },
  };
}

/**
 * A fresh schema on the test Postgres and a `DATABASE_URL` that puts child
 * processes in it; `drop()` removes it.
 */
export async function postgresSchemaUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("postgresSchemaUrl needs DATABASE_URL");
  const schema = freshSchemaName();
  const admin = await openPostgres({ connectionString: base });
  await admin.query(`CREATE SCHEMA ${sqlIdentifier(schema)}`);
  await admin.close();
  const options = encodeURIComponent(`-c search_path=${schema}`);
  return {
    url: `${base}${base.includes("?") ? "&" : "?"}options=${options}`,
    drop: async () => {
      const again = await openPostgres({ connectionString: base });
      try {
        await again.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
      } finally {
        await again.close();
      }
    },
  };
}
