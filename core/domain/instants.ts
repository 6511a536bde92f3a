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

/*
 * A positive offset whose `+` arrived as a space: a query string decodes `+`
 * to a space, so `10:00:00 02:00` arrives for `10:00:00+02:00`. Spec §3 asks
 * that such a timestamp be read as meant.
 */
const PLUS_AS_SPACE = /(\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}(?::?\d{2})?)$/;

/** `text` with the `+` of its offset back where a query string made it a space. */
export const restoreOffsetPlus = (text: string): string => text.replace(PLUS_AS_SPACE, "$1+$2");

/** Whether `at` is an instant Ferry can store and answer; never for an invalid date. */
export const isWithinInstantRange = (at: Date): boolean =>
  at >= EARLIEST_INSTANT && at <= LATEST_INSTANT;

/*
 * Civil dates and times of day that exist: no 30 February, no hour 24, no
 * minute or second 60. `Date` itself rolls such values over silently
 * (`2027-02-30` becomes 2 March), so every reader checks them first.
 */

/** Whether the day exists in the proleptic Gregorian calendar. */
export function dayExists(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // setUTCFullYear, not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
  const civil = new Date(0);
  civil.setUTCFullYear(year, month - 1, day);
  return civil.getUTCMonth() === month - 1 && civil.getUTCDate() === day;
}

/** Whether the time of day exists (no leap seconds: `Date` has none). */
export const timeOfDayExists = (hour: number, minute: number, second: number): boolean =>
  hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
