/**
 * The master key and what is derived from it. Every key Ferry uses is derived
 * by HKDF-SHA-256 (RFC 5869) under its own `info` label, so that no two uses
 * ever share key material. The labels are part of the stored format: changing
 * one makes every wrapped data key and every keyed hash unreadable.
 */
import { MasterKeyInvalidError } from "./errors.ts";
import { copyBytes, utf8 } from "./encoding.ts";

export const MASTER_KEY_BYTES = 32;

/** HKDF `info` labels, one per derived key. */
export const hkdfLabels = {
  keyWrapping: "ferry/master-key/v1/data-key-wrapping",
  keyedHash: "ferry/master-key/v1/keyed-hash",
  fingerprint: "ferry/master-key/v1/fingerprint",
  keyId: "ferry/master-key/v1/key-id",
} as const;

/**
 * A loaded master key. It carries no key material of its own (so logging or
 * serialising it reveals nothing): the derived keys sit in a module-private
 * map and are reached through `masterKeyMaterial`.
 */
export type MasterKey = {
  /** Where the key came from. */
  readonly source: "env" | "file";
  /** Short public id of the key (8 hex), recorded next to what it wraps. */
  readonly id: string;
};

/** Keys derived from a master key; internal to the secrets adapter. */
export type MasterKeyMaterial = {
  /** AES-256-GCM, non-extractable, usable only to wrap and unwrap data keys. */
  wrappingKey: CryptoKey;
  /** HMAC-SHA-256 key bytes for keyed hashes (node:crypto needs raw bytes). */
  hashKey: Uint8Array;
  /** HMAC-SHA-256 key bytes for display fingerprints. */
  fingerprintKey: Uint8Array;
};

const material = new WeakMap<MasterKey, MasterKeyMaterial>();

const hkdf = (label: string) => ({
  name: "HKDF",
  hash: "SHA-256",
  // The input is already 32 uniformly random bytes, so HKDF's extract step
  // needs no salt (RFC 5869 §3.1); the labels alone separate the outputs.
  salt: new Uint8Array(0),
  info: utf8(label),
});

/**
 * Derives every key Ferry needs from 32 bytes of master key. The caller's
 * buffer is left untouched; `loadMasterKey` wipes its own copy afterwards.
 *
 * @example
 * const masterKey = await masterKeyFromBytes(crypto.getRandomValues(new Uint8Array(32)), "env");
 */
export const masterKeyFromBytes = async (
  bytes: Uint8Array,
  source: MasterKey["source"],
): Promise<MasterKey> => {
  if (bytes.byteLength !== MASTER_KEY_BYTES) {
    throw new MasterKeyInvalidError(`a master key is exactly ${MASTER_KEY_BYTES} bytes`);
  }

  const subtle = crypto.subtle;
  const raw = copyBytes(bytes);
  const ikm = await subtle
    .importKey("raw", raw, "HKDF", false, ["deriveKey", "deriveBits"])
    .finally(() => raw.fill(0));
  const wrappingKey = await subtle.deriveKey(
    hkdf(hkdfLabels.keyWrapping),
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
  const hashKey = new Uint8Array(await subtle.deriveBits(hkdf(hkdfLabels.keyedHash), ikm, 256));
  const fingerprintKey = new Uint8Array(
    await subtle.deriveBits(hkdf(hkdfLabels.fingerprint), ikm, 256),
  );
  const idBits = new Uint8Array(await subtle.deriveBits(hkdf(hkdfLabels.keyId), ikm, 32));

  const masterKey: MasterKey = Object.freeze({ source, id: Buffer.from(idBits).toString("hex") });
  material.set(masterKey, { wrappingKey, hashKey, fingerprintKey });
  return masterKey;
};

/** The derived keys of a master key made by `masterKeyFromBytes`. */
export const masterKeyMaterial = (masterKey: MasterKey): MasterKeyMaterial => {
  const found = material.get(masterKey);
  if (!found) throw new TypeError("not a master key made by masterKeyFromBytes");
  return found;
};
