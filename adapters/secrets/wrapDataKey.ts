/**
 * Data keys at rest: each is wrapped (AES-256-GCM) by the key-wrapping key
 * derived from the master key, with its client id and key id as additional
 * authenticated data, so a wrapped key moved to another client's row does
 * not unwrap. Stored form: 12-byte IV, then the wrapped key and its tag.
 */
import { copyBytes, utf8, type Bytes } from "./encoding.ts";
import { masterKeyMaterial, type MasterKey } from "./deriveKeys.ts";
import type { SealContext } from "./sealDocument.ts";

const IV_BYTES = 12;

const wrapParams = (iv: Bytes, { clientId, keyId }: SealContext): AesGcmParams => ({
  name: "AES-GCM",
  iv,
  additionalData: utf8(JSON.stringify(["ferry-data-key-v1", clientId, keyId])),
});

/**
 * Generates a new AES-256 data key and answers it wrapped. The extractable
 * key exists only inside this call; the one that gets used is always
 * unwrapped from the stored bytes, non-extractable.
 */
export const newWrappedDataKey = async (
  masterKey: MasterKey,
  context: SealContext,
): Promise<Bytes> => {
  const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ]);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const { wrappingKey } = masterKeyMaterial(masterKey);

  const wrapped = await crypto.subtle.wrapKey("raw", dataKey, wrappingKey, wrapParams(iv, context));

  const stored = new Uint8Array(IV_BYTES + wrapped.byteLength);
  stored.set(iv);
  stored.set(new Uint8Array(wrapped), IV_BYTES);
  return stored;
};

/**
 * Unwraps a stored data key as a non-extractable AES-GCM key; answers
 * `undefined` when it does not authenticate (another master key, another
 * client's row, damaged bytes).
 */
export const unwrapDataKey = async (
  masterKey: MasterKey,
  context: SealContext,
  stored: Uint8Array,
): Promise<CryptoKey | undefined> => {
  const { wrappingKey } = masterKeyMaterial(masterKey);
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      copyBytes(stored.subarray(IV_BYTES)),
      wrappingKey,
      wrapParams(copyBytes(stored.subarray(0, IV_BYTES)), context),
      { name: "AES-GCM" },
      false,
      ["encrypt", "decrypt"],
    );
  } catch {
    return undefined;
  }
};
