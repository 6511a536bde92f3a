import type { PGlite, Transaction } from "@electric-sql/pglite";
import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient, SqlExecutor, SqlRows } from "../sql/sqlClient.ts";

export type PGliteClientOptions = {
  /** Every statement runs with this schema as its only search_path. */
  schema?: string;
  /** What `close()` does: close the database, or only let go of a shared one. */
  close(): Promise<void>;
};

/**
 * A `SqlClient` over an open PGlite. PGlite is one connection and serializes
 * every query and transaction itself, so there is nothing to pool and no
 * second connection to LISTEN on: there is no `listen`, readers poll.
 *
 * With `schema`, each statement runs in a transaction that first sets the
 * search_path, because several clients (one per test file) may share the one
 * connection and a session-wide setting would leak between them.
 */
export function pgliteClient(db: PGlite, options: PGliteClientOptions): SqlClient {
  const setPath =
    options.schema === undefined
      ? null
      : `SET LOCAL search_path TO ${sqlIdentifier(options.schema)}`;

  const transaction = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      if (setPath !== null) await tx.exec(setPath);
      return fn(executorOf(tx));
    });

  if (setPath === null) {
    return { kind: "pglite", ...executorOf(db), transaction, close: options.close };
  }

  return {
    kind: "pglite",
    query: (text, params) => transaction((tx) => tx.query(text, params)),
    exec: (script) => transaction((tx) => tx.exec(script)),
    transaction,
    close: options.close,
  };
}

function executorOf(db: PGlite | Transaction): SqlExecutor {
  return {
    query: async <R>(text: string, params?: unknown[]): Promise<SqlRows<R>> => {
      const result = await db.query<R>(text, params);
      return { rows: result.rows };
    },
    exec: async (script) => {
      await db.exec(script);
    },
  };
}
