import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { startPGliteWorker } from "./startPGliteWorker.ts";

export type OpenPGliteWorkerOptions = {
  /** Folder holding the database; in memory when absent. */
  dataDir?: string;
  /** Schema every statement uses as its search_path; created if missing. */
  schema?: string;
};

/**
 * Opens PGlite in a worker thread and answers a `SqlClient` that owns it:
 * `close()` closes the database and ends the thread. Same answers as the
 * in-thread client (rows by structured clone, errors with their Postgres
 * fields), one message per statement.
 *
 * @example
 * const sql = await openPGliteWorker({ dataDir: ".ferry/db" });
 * await migrate(sql);
 */
export async function openPGliteWorker(options: OpenPGliteWorkerOptions = {}): Promise<SqlClient> {
  if (options.schema !== undefined) sqlIdentifier(options.schema);

  const host = await startPGliteWorker({ dataDir: options.dataDir });
  try {
    const client = await host.client({ schema: options.schema });
    return { ...client, close: () => host.close() };
  } catch (error) {
    await host.close();
    throw error;
  }
}
