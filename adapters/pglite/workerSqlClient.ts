import type { SqlClient, SqlExecutor, SqlRows } from "../sql/sqlClient.ts";
import type { WorkerChannel } from "./workerChannel.ts";

/**
 * A `SqlClient` whose statements run in the PGlite worker, for the client the
 * worker registered as `client`. A transaction stays open in the worker while
 * `fn` runs here; its statements are tagged with the transaction's number.
 */
export function workerSqlClient(
  channel: WorkerChannel,
  client: number,
  close: () => Promise<void>,
): SqlClient {
  const executor = (tx?: number): SqlExecutor => ({
    query: <R>(text: string, params?: unknown[]) =>
      channel.call({ op: "query", client, tx, text, params }) as Promise<SqlRows<R>>,
    exec: async (script) => {
      await channel.call({ op: "exec", client, tx, script });
    },
  });

  const transaction = async <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    const release = channel.hold();
    try {
      const tx = (await channel.call({ op: "begin", client })) as number;

      let result: T;
      try {
        result = await fn(executor(tx));
      } catch (error) {
        // The caller's error is the one that matters, whatever the rollback says.
        await channel.call({ op: "end", tx, commit: false }).catch(() => undefined);
        throw error;
      }

      await channel.call({ op: "end", tx, commit: true });
      return result;
    } finally {
      release();
    }
  };

  return { kind: "pglite", ...executor(), transaction, close };
}
