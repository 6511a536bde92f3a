import { describe, expect, it } from "vitest";
import { parseTime, throughDay } from "../../adapters/requestLog/timeBounds.ts";

const instant = (value: string) => parseTime(value)._unsafeUnwrap().at.toISOString();

describe("parseTime", () => {
  it("reads a bare date as the start of its UTC day", () => {
    expect(parseTime("2024-05-01")._unsafeUnwrap()).toEqual({
      at: new Date("2024-05-01T00:00:00.000Z"),
      dateOnly: true,
    });
    expect(throughDay(new Date("2024-02-28T00:00:00Z"))).toEqual({
      op: "<",
      at: new Date("2024-02-29T00:00:00.000Z"),
    });
  });

  it("reads the years 0001 to 0099 as written, not as 1901 to 1999", () => {
    expect(instant("0050-01-01")).toBe("0050-01-01T00:00:00.000Z");
    expect(instant("0001-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00.000Z");
  });

  it("keeps every instant within the years 0001 to 9999, offsets and whole days included", () => {
    for (const value of ["0000-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
      expect(parseTime(value)._unsafeUnwrapErr()).toMatch(/years 0001 to 9999/);
    expect(instant("9999-12-31T23:59:59.999Z")).toBe("9999-12-31T23:59:59.999Z");
    expect(throughDay(new Date("9999-12-31T00:00:00Z"))).toEqual({
      op: "<=",
      at: new Date("9999-12-31T23:59:59.999Z"),
    });
  });

  it("reads timestamps in UTC, with an offset, and without a zone as UTC", () => {
    expect(instant("2024-05-01T10:00:00Z")).toBe("2024-05-01T10:00:00.000Z");
    expect(instant("2024-05-01T10:00:00.5+02:00")).toBe("2024-05-01T08:00:00.500Z");
    expect(instant("2024-05-01T10:00:00-0530")).toBe("2024-05-01T15:30:00.000Z");
    expect(instant("2024-05-01T10:00")).toBe("2024-05-01T10:00:00.000Z");
    expect(instant("2024-05-01 10:00:00.123456Z")).toBe("2024-05-01T10:00:00.123Z");
    expect(parseTime("2024-05-01T10:00:00Z")._unsafeUnwrap().dateOnly).toBe(false);
  });

  it("reads a + that a query string turned into a space as the + it was", () => {
    expect(instant("2024-05-01T10:00:00 02:00")).toBe("2024-05-01T08:00:00.000Z");
    expect(instant("2024-05-01T10:00:00.250 0130")).toBe("2024-05-01T08:30:00.250Z");
  });

  it("refuses what is not a date or names one that does not exist", () => {
    for (const value of [
      "",
      "yesterday",
      "2024-5-1",
      "2024-13-01",
      "2024-02-30",
      "2023-02-29",
      "2024-05-01T24:00:00Z",
      "2024-05-01T10:60Z",
      "2024-05-01T10:00:00+25:00",
      "1714557600000",
      "2024-05-01T10:00:00ZZ",
    ])
      expect(parseTime(value).isErr(), value).toBe(true);
  });
});
