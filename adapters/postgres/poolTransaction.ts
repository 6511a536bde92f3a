import type pg from "pg";
import type { SqlExecutor } from "../sql/sqlClient.ts";

/**
 * Runs `fn` between BEGIN and COMMIT on one pooled connection; rolls back and
 * rethrows if it throws. A connection whose ROLLBACK fails is broken and is
 * destroyed rather than handed back to the pool.
 */
export async function poolTransaction<T>(
  pool: pg.Pool,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();

  try {
    await client.query("BEGIN");
    const result = await fn(clientExecutor(client));
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (error) {
    await client.query("ROLLBACK").then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError),
    );
    throw error;
  }
}

/** The `SqlExecutor` of one pooled connection or of the pool itself. */
export function clientExecutor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    query: async <R>(text: string, params?: unknown[]) => {
      const result = await client.query(text, params);
      return { rows: result.rows as R[] };
    },
    exec: async (script) => {
      // Without parameters pg uses the simple query protocol, which accepts
      // several statements in one text.
      await client.query(script);
    },
  };
}
