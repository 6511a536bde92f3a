/**
 * AES-256-GCM of one JSON document under one data key. The client id and key
 * id are the additional authenticated data, so a blob copied into another
 * client's credential, or relabelled with another key id, fails to open.
 */
import type { Sealed } from "../../core/domain/events.ts";
import { fromBase64Url, toBase64Url, utf8, type Bytes } from "./encoding.ts";

/** Who a blob belongs to; bound into the ciphertext. */
export type SealContext = { clientId: string; keyId: string };

// NIST SP 800-38D §8.2.2: random 96-bit IVs are safe for up to 2^32 messages
// per key, far more than one client's secrets.
const IV_BYTES = 12;

// Documents and raw bytes carry different labels, so neither opens as the other.
const DOCUMENT_LABEL = "ferry-sealed-v1";
const BYTES_LABEL = "ferry-sealed-bytes-v1";

const additionalData = ({ clientId, keyId }: SealContext, label: string): Bytes =>
  utf8(JSON.stringify([label, clientId, keyId]));

/** AES-256-GCM of `bytes` under `key`, bound to `context` and `label`, with a fresh random IV. */
const sealUnder = async (
  key: CryptoKey,
  context: SealContext,
  label: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Sealed> => {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(context, label) },
    key,
    bytes,
  );
  return {
    v: 1,
    keyId: context.keyId,
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(new Uint8Array(ciphertext)),
  };
};

/** The plaintext of `sealed`, or `undefined` when authentication fails. */
const openUnder = async (
  key: CryptoKey,
  context: SealContext,
  label: string,
  sealed: Sealed,
): Promise<Uint8Array<ArrayBuffer> | undefined> => {
  try {
    const plaintext = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: fromBase64Url(sealed.iv),
        additionalData: additionalData(context, label),
      },
      key,
      fromBase64Url(sealed.ciphertext),
    );
    return new Uint8Array(plaintext);
  } catch {
    return undefined;
  }
};

/** Seals `doc` under `key` for `context`, with a fresh random IV. */
export const sealDocument = (
  key: CryptoKey,
  context: SealContext,
  doc: Record<string, unknown>,
): Promise<Sealed> => sealUnder(key, context, DOCUMENT_LABEL, utf8(JSON.stringify(doc)));

/**
 * Opens a blob sealed for `context`; answers `undefined` when authentication
 * fails (tampered bytes, another client, another key) so the caller can say
 * which client it was.
 */
export const openDocument = async (
  key: CryptoKey,
  context: SealContext,
  sealed: Sealed,
): Promise<Record<string, unknown> | undefined> => {
  const plaintext = await openUnder(key, context, DOCUMENT_LABEL, sealed);
  if (plaintext === undefined) return undefined;
  const doc: unknown = JSON.parse(new TextDecoder().decode(plaintext));
  return isRecord(doc) ? doc : undefined;
};

/**
 * Seals raw bytes (a queued request's body and headers, an upstream's
 * answer) without the JSON and base64 a document would add around them.
 */
export const sealBytes = (
  key: CryptoKey,
  context: SealContext,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Sealed> => sealUnder(key, context, BYTES_LABEL, bytes);

/** Opens bytes sealed by `sealBytes`; `undefined` when authentication fails. */
export const openBytes = (
  key: CryptoKey,
  context: SealContext,
  sealed: Sealed,
): Promise<Uint8Array<ArrayBuffer> | undefined> => openUnder(key, context, BYTES_LABEL, sealed);

/** Whether `value` has the shape of a `Sealed` this version can open. */
export const isSealed = (value: unknown): value is Sealed =>
  isRecord(value) &&
  value.v === 1 &&
  typeof value.keyId === "string" &&
  typeof value.iv === "string" &&
  typeof value.ciphertext === "string";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
