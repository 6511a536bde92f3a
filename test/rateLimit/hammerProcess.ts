/**
 * One proxy process's share of the two-process rate limit test: opens its own
 * pool on the schema it is given, says `ready`, waits for a line on stdin (so
 * that both processes start together), hammers one key and prints
 * `{"allowed":n}`.
 *
 * Arguments: schema key limit windowMs now attempts concurrency; DATABASE_URL
 * names the server.
 */
import { createInterface } from "node:readline";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { createSharedRateLimiter } from "../../adapters/rateLimit/sharedRateLimiter.ts";
import { hammer } from "./hammer.ts";

const [schema, key, ...numbers] = process.argv.slice(2);
const [limit, windowMs, now, attempts, concurrency] = numbers.map(Number);
if (schema === undefined || key === undefined || concurrency === undefined) {
  throw new Error("usage: hammerProcess.ts schema key limit windowMs now attempts concurrency");
}

const sql = await openPostgres({ connectionString: process.env.DATABASE_URL!, schema });
const logger = { warn: console.error, info: console.error };
// A generous lease timeout: on a loaded test machine a slow lease must not
// pass for an outage, where each process would count alone.
const limiter = createSharedRateLimiter({
  sql,
  logger,
  sweepIntervalMs: 0,
  leaseTimeoutMs: 10_000,
});
// Warm the pool so that the race starts with open connections.
await Promise.all(Array.from({ length: 4 }, () => sql.query("SELECT 1")));

const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await new Promise((resolve) => lines.once("line", resolve));
lines.close();

const allowed = await hammer(limiter, {
  key,
  limit: limit!,
  windowMs: windowMs!,
  now: now!,
  attempts: attempts!,
  concurrency,
});
process.stdout.write(`${JSON.stringify({ allowed })}\n`);

await limiter.close();
await sql.close();
