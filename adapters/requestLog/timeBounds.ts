/**
 * The dates and timestamps the request log's filters take (spec §3): a bare
 * date (`2024-05-01`) or an ISO-8601 timestamp, read as UTC when it names no
 * offset. Query strings turn a `+` into a space, so `10:00:00 02:00` is read
 * as the `+02:00` the caller meant. Fractions beyond the millisecond are
 * dropped: records are stamped to the millisecond.
 */
import { err, ok, type Result } from "neverthrow";

export type ParsedTime = { at: Date; dateOnly: boolean };

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)?)?$/;

const DAY_MS = 86_400_000;

/**
 * Reads `value` as a date or a timestamp; the error says what is wrong.
 *
 * @example
 * parseTime("2024-05-01T10:00:00 02:00"); // ok({ at: 2024-05-01T08:00:00.000Z, dateOnly: false })
 */
export function parseTime(value: string): Result<ParsedTime, string> {
  const match = pattern.exec(value.trim());
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
  if (fields.hour > 23 || fields.minute > 59 || fields.second > 59)
    return err("has a time of day that does not exist");
  if (fields.offsetHours > 23 || fields.offsetMinutes > 59)
    return err("has an offset that does not exist");

  const local = Date.UTC(
    Number(year),
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
  const check = new Date(local);
  if (
    Number.isNaN(local) ||
    check.getUTCMonth() !== fields.month - 1 ||
    check.getUTCDate() !== fields.day
  )
    return err("has a date that does not exist");

  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"));
  const offset =
    zulu !== undefined || sign === undefined
      ? 0
      : (sign === "-" ? -1 : 1) * (fields.offsetHours * 60 + fields.offsetMinutes) * 60_000;
  return ok({ at: new Date(local + ms - offset), dateOnly: hour === undefined });
}

/** The instant a bare date's day ends: midnight after it. */
export const endOfDay = (day: Date): Date => new Date(day.getTime() + DAY_MS);
