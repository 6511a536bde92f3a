import pg from "pg";
import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { createNotificationListener } from "./notificationListener.ts";
import { clientExecutor, poolTransaction } from "./poolTransaction.ts";

export type OpenPostgresOptions = {
  connectionString: string;
  /** Schema every connection uses as its search_path; created if missing. */
  schema?: string;
  /** Pool size; 10 by default. */
  max?: number;
  /** Shown in pg_stat_activity; the LISTEN connection adds `:listen`. */
  applicationName?: string;
};

/**
 * Connects to server Postgres through a `pg` pool and answers a `SqlClient`;
 * `listen` runs on one extra dedicated connection, opened on first use.
 * Fails fast when the server cannot be reached.
 *
 * @example
 * const sql = await openPostgres({ connectionString: process.env.DATABASE_URL! });
 * await migrate(sql);
 */
export async function openPostgres(options: OpenPostgresOptions): Promise<SqlClient> {
  const schema = options.schema === undefined ? null : sqlIdentifier(options.schema);
  const applicationName = options.applicationName ?? "ferry";
  const config: pg.ClientConfig = {
    connectionString: options.connectionString,
    application_name: applicationName,
    // A startup option, so that every connection, pooled or listening, has
    // the search_path before its first statement.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  };

  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // An idle pooled connection the server drops emits "error" on the pool;
  // the pool has already discarded it and the next query opens a new one.
  pool.on("error", () => undefined);

  try {
    await pool.query(schema === null ? "SELECT 1" : `CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    if (!isConcurrentCreate(error)) {
      await pool.end();
      throw error;
    }
  }

  const listener = createNotificationListener({
    ...config,
    application_name: `${applicationName}:listen`,
  });

  return {
    kind: "postgres",
    ...clientExecutor(pool),
    transaction: (fn) => poolTransaction(pool, fn),
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
}

/** Two processes creating one schema at once: the loser sees one of these. */
function isConcurrentCreate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "42P06";
}
