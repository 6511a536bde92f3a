import { describe, expect, it } from "vitest";
import type { StoredSecret } from "../events.ts";
import { maskSecret, SECRET_MASK } from "./maskSecret.ts";

const stored = (fields: string[], publicFields: Record<string, unknown>): StoredSecret => ({
  fields,
  public: publicFields,
  sealed: { v: 1, keyId: "k1", iv: "iv", ciphertext: "c" },
  fingerprint: "fp",
});

describe("maskSecret", () => {
  it("shows public fields and masks secret ones, in field order", () => {
    const masked = maskSecret(
      stored(["keyValue", "keyName", "in"], { keyName: "api_key", in: "query" }),
    );

    expect(masked).toStrictEqual({ keyValue: SECRET_MASK, keyName: "api_key", in: "query" });
    expect(Object.keys(masked)).toEqual(["keyValue", "keyName", "in"]);
  });

  it("masks every entry of a custom map by name", () => {
    expect(maskSecret(stored(["headers.X-Token", "query.key"], {}))).toStrictEqual({
      "headers.X-Token": SECRET_MASK,
      "query.key": SECRET_MASK,
    });
  });

  it("shows public fields that were not listed, and non-string ones as JSON", () => {
    expect(maskSecret(stored(["password"], { username: "acme", audience: ["a", "b"] }))).toEqual({
      password: SECRET_MASK,
      username: "acme",
      audience: '["a","b"]',
    });
  });

  it("gives nothing of a value away, not even its length", () => {
    const masked = maskSecret({
      fields: ["token", "prefix"],
      public: { prefix: "Bearer" },
      hashes: { token: "aGFzaA" },
      fingerprint: "fp",
    });

    expect(masked.token).toBe(SECRET_MASK);
    expect(JSON.stringify(masked)).not.toContain("aGFzaA");
  });
});
