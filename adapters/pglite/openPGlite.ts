import { PGlite } from "@electric-sql/pglite";
import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { openPGliteWorker, type OpenPGliteWorkerOptions } from "./openPGliteWorker.ts";
import { pgliteClient } from "./pgliteClient.ts";

export type OpenPGliteOptions = OpenPGliteWorkerOptions & {
  /**
   * Where Postgres runs. "worker" (the default) keeps it off the caller's
   * event loop, which in `ferry serve` is the proxy's; "inline" runs it in
   * this thread, without a message per statement.
   */
  thread?: "worker" | "inline";
};

/**
 * Opens the embedded Postgres (PGlite) and answers a `SqlClient` that owns it:
 * `close()` closes the database. Opening a new data folder takes seconds (an
 * existing one well under one), so open it once per process. Without
 * `close()`, an inline database holds the process open for seconds at exit; a
 * worker lets it go, but neither has shut Postgres down cleanly then.
 *
 * @example
 * const sql = await openPGlite({ dataDir: ".ferry/db" });
 * await migrate(sql);
 */
export async function openPGlite(options: OpenPGliteOptions = {}): Promise<SqlClient> {
  if (options.thread !== "inline") {
    return openPGliteWorker({ dataDir: options.dataDir, schema: options.schema });
  }

  const schema = options.schema === undefined ? null : sqlIdentifier(options.schema);

  const db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  if (schema !== null) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);

  return pgliteClient(db, { schema: options.schema, close: () => db.close() });
}
