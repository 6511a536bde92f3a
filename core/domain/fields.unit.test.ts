import { describe, expect, it } from "vitest";
import {
  baseURLSchema,
  effectSchema,
  nameSchema,
  prefixedIdSchema,
  regionSchema,
  requestLimitSchema,
  testPathSchema,
  timeoutMsSchema,
  timestampSchema,
} from "./fields.ts";

const accepts = (schema: { safeParse(input: unknown): { success: boolean; data?: unknown } }) => ({
  as: (input: unknown, expected: unknown) => {
    const parsed = schema.safeParse(input);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(expected);
  },
});
const refuses = (schema: { safeParse(input: unknown): { success: boolean } }, input: unknown) =>
  expect(schema.safeParse(input).success).toBe(false);
/** Refused with exactly this one message. */
const refusesSaying = (
  schema: {
    safeParse(input: unknown): { success: boolean; error?: { issues: { message: string }[] } };
  },
  input: unknown,
  message: string,
) => {
  const parsed = schema.safeParse(input);
  expect([input, parsed.success]).toEqual([input, false]);
  expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([message]);
};

describe("names", () => {
  it("are trimmed strings of 1 to 200 characters", () => {
    accepts(nameSchema).as("  Stripe  ", "Stripe");
    accepts(nameSchema).as("x".repeat(200), "x".repeat(200));
    for (const input of ["", "   ", "x".repeat(201), 7, null, undefined])
      refuses(nameSchema, input);
  });
});

describe("region", () => {
  it("is a trimmed string; null or empty clears it", () => {
    accepts(regionSchema).as(" us-east-1 ", "us-east-1");
    accepts(regionSchema).as(null, null);
    accepts(regionSchema).as("", null);
    refuses(regionSchema, 1);
    refuses(regionSchema, "x".repeat(101));
  });
});

describe("baseURL", () => {
  it("takes an absolute http or https URL, with an optional path prefix, slashes trimmed", () => {
    accepts(baseURLSchema).as("https://api.example.com", "https://api.example.com");
    accepts(baseURLSchema).as("https://api.example.com/", "https://api.example.com");
    accepts(baseURLSchema).as("https://api.example.com/v2//", "https://api.example.com/v2");
    accepts(baseURLSchema).as("http://127.0.0.1:9001", "http://127.0.0.1:9001");
    accepts(baseURLSchema).as("HTTPS://API.EXAMPLE.COM:443/V2", "https://api.example.com/V2");
  });

  it("takes at most 2000 characters, counted percent-encoded as it is stored", () => {
    const prefix = "https://api.example.com/";
    const longest = prefix + "a".repeat(2000 - prefix.length);
    accepts(baseURLSchema).as(longest, longest);
    refuses(baseURLSchema, longest + "a");
    // 300 euro signs are 2,700 characters encoded; 200 are 1,800.
    refuses(baseURLSchema, prefix + "€".repeat(300));
    accepts(baseURLSchema).as(prefix + "€".repeat(200), prefix + "%E2%82%AC".repeat(200));
    // Read twice, as the edge and the decider do, it is the same.
    const once = baseURLSchema.parse(prefix + "€".repeat(200));
    expect(baseURLSchema.parse(once)).toBe(once);
  });

  it("refuses relative URLs and other schemes", () => {
    for (const input of [
      "/v2",
      "api.example.com",
      "ftp://a.example",
      "file:///etc",
      "javascript:1",
    ]) {
      refuses(baseURLSchema, input);
    }
  });

  it("refuses credentials, a query or a fragment in the URL", () => {
    for (const input of [
      "https://user:pw@api.example.com",
      "https://user@api.example.com",
      "https://api.example.com/?key=1",
      "https://api.example.com?",
      "https://api.example.com/#top",
    ]) {
      refuses(baseURLSchema, input);
    }
  });

  it("refuses whitespace and control characters, which the URL parser would drop", () => {
    for (const input of [
      "https://api.exa\nmple.com",
      "https://api.example.com/v\t2",
      " https://a.example",
    ]) {
      refuses(baseURLSchema, input);
    }
  });
});

describe("testPath", () => {
  it("is a path starting with /, or null", () => {
    accepts(testPathSchema).as("/health?deep=1", "/health?deep=1");
    accepts(testPathSchema).as(null, null);
    for (const input of ["health", "/a b", "/a\r\nX: 1"]) refuses(testPathSchema, input);
  });
});

describe("defaultEffect, timeoutMs and request limits", () => {
  it("take allow or deny", () => {
    accepts(effectSchema).as("deny", "deny");
    refuses(effectSchema, "Deny");
  });

  it("take a timeout from 1 to 300000 ms", () => {
    accepts(timeoutMsSchema).as(1, 1);
    accepts(timeoutMsSchema).as(300_000, 300_000);
    for (const input of [0, 300_001, 1.5, "30000"]) refuses(timeoutMsSchema, input);
  });

  it("take positive integer limits, or null for none", () => {
    accepts(requestLimitSchema).as(1, 1);
    accepts(requestLimitSchema).as(null, null);
    for (const input of [0, -1, 2.5, "10", Number.POSITIVE_INFINITY]) {
      refuses(requestLimitSchema, input);
    }
  });
});

describe("timestamps and ids", () => {
  it("normalise a timestamp with a zone to UTC", () => {
    accepts(timestampSchema).as("2026-03-01T12:00:00+02:00", "2026-03-01T10:00:00.000Z");
    for (const input of [
      "2026-03-01",
      "2026-03-01T12:00:00",
      "yesterday",
      "2026-13-01T00:00:00Z",
    ]) {
      refuses(timestampSchema, input);
    }
  });

  it("refuse a date or time of day that does not exist instead of rolling it over", () => {
    accepts(timestampSchema).as("2028-02-29T23:59:59Z", "2028-02-29T23:59:59.000Z");
    for (const input of [
      "2027-02-29T00:00:00Z",
      "2027-02-30T00:00:00Z",
      "2027-04-31T00:00:00+02:00",
      "2027-01-01T24:00:00Z",
      "2027-01-01T23:60:00Z",
      "2027-01-01T23:59:60Z",
      "2027-01-00T00:00:00Z",
    ])
      refusesSaying(timestampSchema, input, "has a date or time of day that does not exist");
  });

  it("refuse a timestamp outside the years 0001 to 9999 (UTC), saying so", () => {
    accepts(timestampSchema).as("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z");
    accepts(timestampSchema).as("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.000Z");
    for (const input of ["9999-12-31T23:00:00-05:00", "0000-12-31T23:59:59Z"])
      refusesSaying(timestampSchema, input, "must fall within the years 0001 to 9999 (UTC)");
  });

  it("know an id by its prefix and ULID", () => {
    accepts(prefixedIdSchema("crd")).as(
      "crd_01J00000000000000000000001",
      "crd_01J00000000000000000000001",
    );
    refuses(prefixedIdSchema("crd"), "tgt_01J00000000000000000000001");
    refuses(prefixedIdSchema("crd"), "crd_01J0000000000000000000000I");
  });
});
