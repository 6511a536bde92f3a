/**
 * One PGlite worker per test file, opened on first use (a fresh in-memory
 * database takes seconds), and a client on a fresh schema for each caller;
 * the schema is dropped when that client closes. Close the worker in
 * `afterAll` with `closeSharedWorker()`.
 */
import {
  startPGliteWorker,
  type PGliteWorkerHost,
} from "../../adapters/pglite/startPGliteWorker.ts";
import { sqlIdentifier } from "../../adapters/sql/identifier.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { freshSchemaName } from "../support/stores.ts";

let shared: Promise<PGliteWorkerHost> | null = null;

export async function sharedWorkerPGlite(): Promise<SqlClient> {
  shared ??= startPGliteWorker();
  const host = await shared;

  const schema = freshSchemaName();
  const sql = await host.client({ schema });

  return {
    ...sql,
    close: async () => {
      try {
        await sql.exec(`DROP SCHEMA IF EXISTS ${sqlIdentifier(schema)} CASCADE`);
      } finally {
        await sql.close();
      }
    },
  };
}

export async function closeSharedWorker(): Promise<void> {
  const closing = shared;
  shared = null;
  await (await closing)?.close();
}
