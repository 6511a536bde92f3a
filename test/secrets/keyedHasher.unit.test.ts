import { describe, expect, it } from "vitest";
import { masterKeyFromBytes } from "../../adapters/secrets/deriveKeys.ts";
import { createKeyedHasher, timingSafeEqualStrings } from "../../adapters/secrets/keyedHasher.ts";
import { referenceHash } from "./reference.ts";

const bytesA = crypto.getRandomValues(new Uint8Array(32));
const bytesB = crypto.getRandomValues(new Uint8Array(32));
const proxyKey = "pk_caller_0123456789abcdef";

describe("a keyed hasher", () => {
  it("hashes a value to 43 base64url characters, the same for the same master key", async () => {
    const first = createKeyedHasher(await masterKeyFromBytes(bytesA, "env"));
    const second = createKeyedHasher(await masterKeyFromBytes(bytesA, "file"));

    expect(first.hash(proxyKey)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.hash(proxyKey)).toBe(first.hash(proxyKey));
    expect(first.hash(proxyKey)).not.toBe(first.hash(`${proxyKey}x`));
  });

  it("hashes differently under another master key", async () => {
    const a = createKeyedHasher(await masterKeyFromBytes(bytesA, "env"));
    const b = createKeyedHasher(await masterKeyFromBytes(bytesB, "env"));

    expect(b.hash(proxyKey)).not.toBe(a.hash(proxyKey));
    expect(b.fingerprint(proxyKey)).not.toBe(a.fingerprint(proxyKey));
  });

  it("keeps the stored format: HMAC-SHA-256 under the HKDF-derived hash key", async () => {
    const hasher = createKeyedHasher(await masterKeyFromBytes(bytesA, "env"));

    expect(hasher.hash(proxyKey)).toBe(await referenceHash(bytesA, proxyKey));
    expect(hasher.hash("pässwörd ✓")).toBe(await referenceHash(bytesA, "pässwörd ✓"));
  });

  it("matches a value against its hash only", async () => {
    const hasher = createKeyedHasher(await masterKeyFromBytes(bytesA, "env"));
    const stored = hasher.hash(proxyKey);

    expect(hasher.matches(proxyKey, stored)).toBe(true);
    expect(hasher.matches(`${proxyKey} `, stored)).toBe(false);
    expect(hasher.matches(proxyKey, stored.slice(0, -1))).toBe(false);
    expect(hasher.matches("", stored)).toBe(false);
  });

  it("fingerprints with eight hex digits that are not a prefix of the stored hash", async () => {
    const hasher = createKeyedHasher(await masterKeyFromBytes(bytesA, "env"));

    const fingerprint = hasher.fingerprint(proxyKey);

    expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(hasher.fingerprint(proxyKey)).toBe(fingerprint);
    expect(hasher.fingerprint(`${proxyKey}x`)).not.toBe(fingerprint);
    expect(Buffer.from(hasher.hash(proxyKey), "base64url").toString("hex")).not.toContain(
      fingerprint,
    );
  });

  it("does not carry its key material in the master key object", async () => {
    const masterKey = await masterKeyFromBytes(bytesA, "env");

    expect(JSON.stringify(masterKey)).not.toContain(Buffer.from(bytesA).toString("base64"));
    expect(Object.keys(masterKey).sort()).toEqual(["id", "source"]);
  });
});

describe("timingSafeEqualStrings", () => {
  it.each([
    ["", "", true],
    ["abc", "abc", true],
    ["ünï✓", "ünï✓", true],
    ["abc", "abd", false],
    ["abc", "abcd", false],
    ["", "a", false],
    ["a".repeat(1000), `${"a".repeat(999)}b`, false],
  ])("compares %j and %j as %s", (a, b, equal) => {
    expect(timingSafeEqualStrings(a, b)).toBe(equal);
  });
});
