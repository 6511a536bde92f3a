import { describe, expect, it } from "vitest";
import { generateProxyKey, generateUserToken } from "../../adapters/secrets/randomSecrets.ts";

const decodedLength = (text: string) => Buffer.from(text, "base64url").length;

describe("generateProxyKey", () => {
  it("answers fk_ and at least 32 random bytes in base64url", () => {
    const key = generateProxyKey();

    expect(key).toMatch(/^fk_[A-Za-z0-9_-]+$/);
    expect(decodedLength(key.slice(3))).toBeGreaterThanOrEqual(32);
  });

  it("never repeats itself", () => {
    const keys = new Set(Array.from({ length: 1000 }, generateProxyKey));

    expect(keys.size).toBe(1000);
  });
});

describe("generateUserToken", () => {
  it("answers u- and at least 128 random bits in base64url", () => {
    const token = generateUserToken();

    expect(token).toMatch(/^u-[A-Za-z0-9_-]+$/);
    expect(decodedLength(token.slice(2)) * 8).toBeGreaterThanOrEqual(128);
  });

  it("never repeats itself", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateUserToken));

    expect(tokens.size).toBe(1000);
  });
});
