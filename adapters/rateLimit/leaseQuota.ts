import type { SqlExecutor } from "../sql/sqlClient.ts";
import { rateLimitWindows as w } from "./tables.ts";

/*
 * One statement, so that the row lock of the upsert orders concurrent
 * leases: each one sees the granted count its predecessor committed. A lease
 * first adds `debt` (requests already admitted while the database was out of
 * reach) unconditionally, then grants at most what the limit has left, never
 * less than zero. SET expressions all read the old row, so both columns use
 * the same `granted`.
 */
const lease = `
  INSERT INTO ${w.table} AS w
    (${w.key}, ${w.windowMs}, ${w.windowStart}, ${w.windowEnd}, ${w.granted}, ${w.lastGrant})
  VALUES (
    $1, $2::bigint, $3::bigint, $4::bigint,
    $5::bigint + LEAST($6::bigint, GREATEST(0, $7::bigint - $5::bigint)),
    LEAST($6::bigint, GREATEST(0, $7::bigint - $5::bigint))
  )
  ON CONFLICT (${w.key}, ${w.windowMs}, ${w.windowStart}) DO UPDATE SET
    ${w.lastGrant} = LEAST($6::bigint, GREATEST(0, $7::bigint - w.${w.granted} - $5::bigint)),
    ${w.granted} = w.${w.granted} + $5::bigint
      + LEAST($6::bigint, GREATEST(0, $7::bigint - w.${w.granted} - $5::bigint))
  RETURNING ${w.granted} AS granted, ${w.lastGrant} AS last_grant`;

export type LeaseRequest = {
  key: string;
  windowMs: number;
  windowStart: number;
  windowEnd: number;
  limit: number;
  /** How many requests this process would like to admit. */
  want: number;
  /** Requests this process admitted without the database, to be counted now. */
  debt: number;
};

export type Lease = {
  /** Requests granted to this process now: `want` or fewer, zero once the limit is spent. */
  granted: number;
  /** The window's total granted to every process, this lease and the debt included. */
  windowGranted: number;
};

/**
 * Reserves up to `want` requests of one window's quota for this process.
 * A grant below `want` means the window has nothing left.
 *
 * @example
 * const lease = await leaseQuota(sql, { key: "proxy:prx_1", windowMs: 60_000,
 *   windowStart, windowEnd, limit: 100, want: 2, debt: 0 }); // { granted: 2, windowGranted: 2 }
 */
export async function leaseQuota(sql: SqlExecutor, request: LeaseRequest): Promise<Lease> {
  const { rows } = await sql.query<{ granted: unknown; last_grant: unknown }>(lease, [
    request.key,
    request.windowMs,
    request.windowStart,
    request.windowEnd,
    request.debt,
    request.want,
    request.limit,
  ]);

  const row = rows[0];
  if (row === undefined) throw new Error("the rate limit lease answered no row");
  // bigint columns arrive as strings from pg and as bigint or number from PGlite.
  return { granted: Number(row.last_grant), windowGranted: Number(row.granted) };
}
