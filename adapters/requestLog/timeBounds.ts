/**
 * The dates and timestamps the request log's filters take (spec §3): a bare
 * date (`2024-05-01`) or an ISO-8601 timestamp, read as UTC when it names no
 * offset. Query strings turn a `+` into a space, so `10:00:00 02:00` is read
 * as the `+02:00` the caller meant. Fractions beyond the millisecond are
 * dropped: records are stamped to the millisecond.
 */
import { err, ok, type Result } from "neverthrow";
import {
  dayExists,
  INSTANT_OUT_OF_RANGE,
  isWithinInstantRange,
  LATEST_INSTANT,
  restoreOffsetPlus,
  timeOfDayExists,
} from "../../core/domain/instants.ts";

export type ParsedTime = { at: Date; dateOnly: boolean };

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const DAY_MS = 86_400_000;

/**
 * Reads `value` as a date or a timestamp; the error says what is wrong.
 *
 * @example
 * parseTime("2024-05-01T10:00:00 02:00"); // ok({ at: 2024-05-01T08:00:00.000Z, dateOnly: false })
 */
export function parseTime(value: string): Result<ParsedTime, string> {
  const match = pattern.exec(restoreOffsetPlus(value.trim()));
  if (match === null) return err("must be a date (YYYY-MM-DD) or an ISO-8601 timestamp");

  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offH, offM] = match;
  const fields = {
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    offsetHours: Number(offH ?? 0),
    offsetMinutes: Number(offM ?? 0),
  };
  if (!timeOfDayExists(fields.hour, fields.minute, fields.second))
    return err("has a time of day that does not exist");
  if (fields.offsetHours > 23 || fields.offsetMinutes > 59)
    return err("has an offset that does not exist");
  if (!dayExists(Number(year), fields.month, fields.day))
    return err("has a date that does not exist");

  // Date.UTC would read years 0 to 99 as 1900 to 1999.
  const civil = new Date(0);
  civil.setUTCFullYear(Number(year), fields.month - 1, fields.day);
  civil.setUTCHours(fields.hour, fields.minute, fields.second, 0);
  const local = civil.getTime();

  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"));
  const offset =
    zulu !== undefined || sign === undefined
      ? 0
      : (sign === "-" ? -1 : 1) * (fields.offsetHours * 60 + fields.offsetMinutes) * 60_000;
  const at = new Date(local + ms - offset);
  if (!isWithinInstantRange(at)) return err(INSTANT_OUT_OF_RANGE);
  return ok({ at, dateOnly: hour === undefined });
}

/**
 * The bound that includes the whole of a bare date's day: before midnight
 * after it, or up to the last instant there is when that midnight is past it.
 */
export const throughDay = (day: Date): { op: "<" | "<="; at: Date } => {
  const midnight = new Date(day.getTime() + DAY_MS);
  return midnight > LATEST_INSTANT ? { op: "<=", at: LATEST_INSTANT } : { op: "<", at: midnight };
};
