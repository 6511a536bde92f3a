/**
 * The bytes sealed for a queued request and for an upstream's answer: a
 * JSON head (headers and the like) and the body, one after the other. The
 * body stays raw bytes: a binary or very large body is neither re-encoded
 * nor held as a string.
 *
 * Layout: 4-byte big-endian length of the head, the head as UTF-8 JSON,
 * then the body.
 */

export type RequestHead = {
  /** Caller headers as forwarded, the caller's credential already removed. */
  headers: [name: string, value: string][];
  /** Query as forwarded (credential parameters removed), without `?`; null: none. */
  query: string | null;
  /** For `X-Forwarded-For` and `X-Forwarded-Host` at delivery. */
  clientAddress: string | null;
  host: string | null;
};

export type ResponseHead = { headers: [name: string, value: string][] };

const HEAD_LENGTH_BYTES = 4;

export const encodeEnvelope = (head: object, body: Uint8Array): Uint8Array<ArrayBuffer> => {
  const headBytes = new TextEncoder().encode(JSON.stringify(head));
  const out = new Uint8Array(HEAD_LENGTH_BYTES + headBytes.byteLength + body.byteLength);
  new DataView(out.buffer).setUint32(0, headBytes.byteLength);
  out.set(headBytes, HEAD_LENGTH_BYTES);
  out.set(body, HEAD_LENGTH_BYTES + headBytes.byteLength);
  return out;
};

/** The head and body of an envelope; throws on bytes that are not one. */
export const decodeEnvelope = <H>(
  bytes: Uint8Array<ArrayBuffer>,
): { head: H; body: Uint8Array<ArrayBuffer> } => {
  if (bytes.byteLength < HEAD_LENGTH_BYTES) throw new Error("envelope too short");
  const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  const bodyStart = HEAD_LENGTH_BYTES + headLength;
  if (bodyStart > bytes.byteLength) throw new Error("envelope head overruns its bytes");
  const head = JSON.parse(
    new TextDecoder().decode(bytes.subarray(HEAD_LENGTH_BYTES, bodyStart)),
  ) as H;
  return { head, body: bytes.slice(bodyStart) };
};
