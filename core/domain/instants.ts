/**
 * The instants Ferry takes in: what Postgres and `Date.prototype.toISOString`
 * agree on. Postgres has no year 0, and past 9999 the ISO string takes a sign
 * and six digits (`+010000-…`) that Postgres does not read. Every instant the
 * Core API reads (timestamps in bodies, `asOf`, the request log's bounds) is
 * refused outside this range, with the same message.
 */

export const EARLIEST_INSTANT = new Date("0001-01-01T00:00:00.000Z");
export const LATEST_INSTANT = new Date("9999-12-31T23:59:59.999Z");

export const INSTANT_OUT_OF_RANGE = "must fall within the years 0001 to 9999 (UTC)";

/** Whether `at` is an instant Ferry can store and answer; never for an invalid date. */
export const isWithinInstantRange = (at: Date): boolean =>
  at >= EARLIEST_INSTANT && at <= LATEST_INSTANT;
