/**
 * The stored format of secrets, written out again apart from the adapter:
 * if the adapter drifted from it (a renamed HKDF label, another AAD), data
 * written by an earlier release would stop opening, and these helpers say so.
 * They also reach the raw data key, which the adapter never exposes.
 */
import { createHmac } from "node:crypto";

const encode = (text: string) => new TextEncoder().encode(text);

const derive = async (masterBytes: Uint8Array, info: string, bits: number) => {
  const ikm = await crypto.subtle.importKey("raw", new Uint8Array(masterBytes), "HKDF", false, [
    "deriveBits",
  ]);
  const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encode(info) };
  return new Uint8Array(await crypto.subtle.deriveBits(params, ikm, bits));
};

/** HMAC-SHA-256 keyed hash of `value`, base64url. */
export const referenceHash = async (masterBytes: Uint8Array, value: string): Promise<string> => {
  const key = await derive(masterBytes, "ferry/master-key/v1/keyed-hash", 256);
  return createHmac("sha256", key).update(value).digest("base64url");
};

/** The raw 32 bytes of a client's data key, unwrapped from its stored row. */
export const referenceUnwrap = async (
  masterBytes: Uint8Array,
  row: { clientId: string; keyId: string; wrappedKey: Uint8Array },
): Promise<Uint8Array> => {
  const kekBytes = await derive(masterBytes, "ferry/master-key/v1/data-key-wrapping", 256);
  const kek = await crypto.subtle.importKey("raw", kekBytes, "AES-GCM", false, ["decrypt"]);
  const stored = new Uint8Array(row.wrappedKey);
  const additionalData = encode(JSON.stringify(["ferry-data-key-v1", row.clientId, row.keyId]));

  const raw = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: stored.slice(0, 12), additionalData },
    kek,
    stored.slice(12),
  );
  return new Uint8Array(raw);
};

/** Decrypts a sealed blob with a raw data key, as a reader of the format would. */
export const referenceOpen = async (
  dataKey: Uint8Array,
  clientId: string,
  sealed: { keyId: string; iv: string; ciphertext: string },
): Promise<unknown> => {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(dataKey), "AES-GCM", false, [
    "decrypt",
  ]);
  const additionalData = encode(JSON.stringify(["ferry-sealed-v1", clientId, sealed.keyId]));
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: Buffer.from(sealed.iv, "base64url"), additionalData },
    key,
    Buffer.from(sealed.ciphertext, "base64url"),
  );
  return JSON.parse(new TextDecoder().decode(plaintext));
};
