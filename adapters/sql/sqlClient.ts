/**
 * The one SQL surface both stores share: server Postgres through `pg` and the
 * embedded PGlite. Everything above it (event store, data keys, read models)
 * is written once against this interface.
 */
export type SqlRows<R> = { rows: R[] };

export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlRows<R>>;
  /**
   * Runs a script of several statements without parameters (a migration
   * file): the simple query protocol, which `query` with parameters is not.
   */
  exec(script: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel`; answers an unlisten.
   * Absent where the store has no second connection to listen on (PGlite):
   * readers poll there.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  readonly kind: "postgres" | "pglite";
  close(): Promise<void>;
}
