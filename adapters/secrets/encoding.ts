/**
 * Byte and text encodings shared by the secrets adapter. Byte arrays are
 * typed over a plain ArrayBuffer, which is what WebCrypto accepts.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

export const utf8 = (text: string): Bytes => new TextEncoder().encode(text);

export const toBase64Url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");

/** Decodes base64url (or standard base64); callers check the length they expect. */
export const fromBase64Url = (text: string): Bytes => copyBytes(Buffer.from(text, "base64url"));

/** Copies any byte view (a Buffer from `pg`, a view into a PGlite result) into its own buffer. */
export const copyBytes = (view: Uint8Array): Bytes => {
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
};

export const randomBytes = (length: number): Bytes =>
  crypto.getRandomValues(new Uint8Array(length));
