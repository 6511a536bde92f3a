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
 */
export function callerResponse(upstream: Response, method: string, requestId: string): Response {
  const headers = upstream.headers;
  stripHopByHop(headers);
  headers.set(PROXY_CODE_HEADER, ACCESS_GRANTED);
  headers.set(PROXY_MESSAGE_HEADER, GRANTED_MESSAGE);
  headers.set(REQUEST_ID_HEADER, requestId);

  const status = upstream.status;
  const bodiless = method === "HEAD" || status === 204 || status === 304;
  if (status === 204) headers.delete("content-length");

  return new Response(bodiless ? null : upstream.body, {
    status,
    statusText: upstream.statusText,
    headers,
  });
}
