/**
 * A process of its own for the lifecycle tests: opens the embedded store in
 * a worker on the folder given, queries it, and then, by `mode`:
 * - `close`: closes it;
 * - `forget`: never closes it;
 * - `bad`: opens a folder that cannot be used instead, and reports why.
 * It prints one JSON line and must then exit by itself.
 *
 * `bun test/pglite/workerChild.ts <close|forget|bad> <dataDir>`
 */
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";

const [mode, dataDir = ""] = process.argv.slice(2);

if (mode === "bad") {
  const message = await openPGlite({ dataDir }).then(
    () => "opened",
    (error: unknown) => (error as Error).message,
  );
  console.log(JSON.stringify({ message }));
} else {
  const sql = await openPGlite({ dataDir });
  const { rows } = await sql.query("SELECT count(*)::int AS n FROM kept");
  if (mode === "close") await sql.close();
  console.log(JSON.stringify({ rows }));
}
