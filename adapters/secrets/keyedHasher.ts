/**
 * Keyed hashes for secrets that are only ever compared (proxy keys, user
 * tokens, passwords): HMAC-SHA-256 under a key derived from the master key,
 * so a copy of the event store alone cannot test guesses offline. Synchronous
 * because the proxy checks one on every request.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { masterKeyMaterial, type MasterKey } from "./deriveKeys.ts";

export type KeyedHasher = {
  /** base64url HMAC-SHA-256 of `value`: the form stored in events. */
  hash(value: string): string;
  /** Whether `value` hashes to `expectedHash`, compared in constant time. */
  matches(value: string, expectedHash: string): boolean;
  /**
   * Eight hex digits, keyed under a separate derived key: enough for a human
   * to tell two secrets apart, too short to test guesses against.
   */
  fingerprint(value: string): string;
};

const FINGERPRINT_LENGTH = 8;

/**
 * Builds the hasher for one master key. Hashes are stable for a key and
 * unrelated across keys, so replacing the master key invalidates every
 * stored hash.
 *
 * @example
 * const hasher = createKeyedHasher(masterKey);
 * const tokenHash = hasher.hash(token);
 * hasher.matches(presented, tokenHash); // true for the same token
 */
export const createKeyedHasher = (masterKey: MasterKey): KeyedHasher => {
  const { hashKey, fingerprintKey } = masterKeyMaterial(masterKey);
  const hash = (value: string) =>
    createHmac("sha256", hashKey).update(value, "utf8").digest("base64url");

  return {
    hash,
    matches: (value, expectedHash) => timingSafeEqualStrings(hash(value), expectedHash),
    fingerprint: (value) =>
      createHmac("sha256", fingerprintKey)
        .update(value, "utf8")
        .digest("hex")
        .slice(0, FINGERPRINT_LENGTH),
  };
};

/**
 * Compares two strings in time that depends on neither their contents nor
 * their lengths: both are digested first, so the comparison always runs
 * over 32 bytes.
 */
export const timingSafeEqualStrings = (a: string, b: string): boolean => {
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
};
