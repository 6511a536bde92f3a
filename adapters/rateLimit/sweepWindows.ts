import type { SqlExecutor } from "../sql/sqlClient.ts";
import { rateLimitWindows as w } from "./tables.ts";

const sweep = `
  WITH swept AS (DELETE FROM ${w.table} WHERE ${w.windowEnd} < $1::bigint RETURNING 1)
  SELECT count(*)::integer AS swept FROM swept`;

/**
 * Deletes the rows of windows that ended before `before` (epoch ms) and
 * answers how many went. Callers keep a margin behind their own clock: a
 * process whose clock lags may still be counting in a window another
 * process already sees as ended.
 */
export async function sweepWindows(sql: SqlExecutor, before: number): Promise<number> {
  const { rows } = await sql.query<{ swept: number }>(sweep, [before]);
  return rows[0]?.swept ?? 0;
}
