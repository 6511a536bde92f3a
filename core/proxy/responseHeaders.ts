import { stripHopByHop } from "./hopByHop.ts";
import {
  ACCESS_GRANTED,
  GRANTED_MESSAGE,
  PROXY_CODE_HEADER,
  PROXY_MESSAGE_HEADER,
  REQUEST_ID_HEADER,
} from "./proxyHeaders.ts";

/**
 * The upstream's answer as the caller gets it: same status, the upstream's
 * headers without connection-scoped fields, plus the proxy's own headers.
 *
 * The upstream's `Headers` are reused, not copied field by field: `Headers`
 * keeps every `Set-Cookie` separate (a copy through `get("set-cookie")` or
 * `Object.fromEntries` would join them, and cookie dates hold commas). The
 * body passes as the upstream sent it: fetched with decompression off, the
 * bytes and `Content-Encoding`/`Content-Length` stay in agreement.
 * HEAD, 204 and 304 answers carry no body (RFC 9110 §9.3.2, §15.3.5, §15.4.5).
 * `buffered` is the body already read whole (see `shouldBuffer`); without it
 * the upstream's body streams through.
 */
export function callerResponse(
  upstream: Response,
  method: string,
  requestId: string,
  buffered: ArrayBuffer | null,
): Response {
  const headers = upstream.headers;
  stripHopByHop(headers);
  headers.set(PROXY_CODE_HEADER, ACCESS_GRANTED);
  headers.set(PROXY_MESSAGE_HEADER, GRANTED_MESSAGE);
  headers.set(REQUEST_ID_HEADER, requestId);

  const status = upstream.status;
  if (status === 204) headers.delete("content-length");

  return new Response(isBodiless(method, status) ? null : (buffered ?? upstream.body), {
    status,
    statusText: upstream.statusText,
    headers,
  });
}

export function isBodiless(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304;
}

/** Bodies up to this declared length are read whole before the answer starts. */
export const BUFFER_LIMIT = 64 * 1024;

/**
 * Whether to read the upstream's body whole before answering: when it
 * declares a length of at most `BUFFER_LIMIT`. Bun's server drops the
 * `Content-Length` of a streamed body it cannot size in advance and frames it
 * chunked (oven-sh/bun#10507), so without this a small answer's framing would
 * depend on how fast its bytes arrived. A body that dies before its declared
 * length then fails as a whole (502) instead of reaching the caller cut short.
 * Longer or undeclared bodies, event streams among them, always stream.
 */
export function shouldBuffer(upstream: Response, method: string): boolean {
  if (isBodiless(method, upstream.status)) return false;
  const declared = upstream.headers.get("content-length");
  if (declared === null) return false;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length > 0 && length <= BUFFER_LIMIT;
}
