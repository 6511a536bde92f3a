import { PGlite } from "@electric-sql/pglite";
import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { pgliteClient } from "./pgliteClient.ts";

export type OpenPGliteOptions = {
  /** Folder holding the database; in memory when absent. */
  dataDir?: string;
  /** Schema every statement uses as its search_path; created if missing. */
  schema?: string;
};

/**
 * Opens the embedded Postgres (PGlite) and answers a `SqlClient` that owns it:
 * `close()` closes the database. Opening a new data folder takes seconds (an
 * existing one well under one), and a process that exits without `close()`
 * lingers, so open it once per process.
 *
 * @example
 * const sql = await openPGlite({ dataDir: ".ferry/db" });
 * await migrate(sql);
 */
export async function openPGlite(options: OpenPGliteOptions = {}): Promise<SqlClient> {
  const schema = options.schema === undefined ? null : sqlIdentifier(options.schema);

  const db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  if (schema !== null) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);

  return pgliteClient(db, { schema: options.schema, close: () => db.close() });
}
