import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { openWorkerChannel } from "./workerChannel.ts";
import { workerSqlClient } from "./workerSqlClient.ts";

/** One embedded database in its own thread, and clients on it. */
export type PGliteWorkerHost = {
  /**
   * A client whose every statement runs with `schema` (created if missing) as
   * its search_path, or on the default one. Its `close()` only lets go: the
   * database stays open for the host's other clients.
   */
  client(options?: { schema?: string }): Promise<SqlClient>;
  /**
   * Closes the database and terminates the thread. Calls still out reject,
   * and those queued in the worker never run; a statement already running
   * there finishes, so its effect is unknown to its caller.
   */
  close(): Promise<void>;
};

/**
 * Opens PGlite in a worker thread, so that Postgres (WASM, and the synchronous
 * file writes under it) never runs on the caller's event loop. Opening errors
 * (a data folder that cannot be used) reject with PGlite's reason.
 *
 * @example
 * const host = await startPGliteWorker();
 * const sql = await host.client({ schema: "t_1" });
 */
export async function startPGliteWorker(
  options: { dataDir?: string } = {},
): Promise<PGliteWorkerHost> {
  const channel = openWorkerChannel(new URL("./pgliteWorker.ts", import.meta.url));
  try {
    await channel.call({ op: "open", dataDir: options.dataDir });
  } catch (error) {
    await channel.close();
    throw error;
  }

  return {
    client: async (clientOptions = {}) => {
      const { schema } = clientOptions;
      if (schema !== undefined) sqlIdentifier(schema);

      const id = (await channel.call({ op: "attach", schema })) as number;
      // Letting go of a client whose host already closed has nothing left to do.
      const close = () => channel.call({ op: "detach", client: id }).then(ignore, ignore);
      return workerSqlClient(channel, id, close);
    },
    close: () => channel.close(),
  };
}

const ignore = () => undefined;
