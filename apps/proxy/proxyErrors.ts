import {
  ACCESS_DENIED,
  ACCESS_GRANTED,
  PROXY_CODE_HEADER,
  PROXY_MESSAGE_HEADER,
  REQUEST_ID_HEADER,
} from "../../core/proxy/proxyHeaders.ts";

/**
 * Every error the proxy answers, with its HTTP status, in one table (spec §3
 * error body, §4 statuses). Unknown proxy, inactive proxy and a bad credential
 * share one code and message, so a caller cannot tell which proxy ids exist.
 */
export const proxyErrors = {
  proxy_access_denied: { status: 403, message: "Access denied", granted: false },
  invalid_path: { status: 400, message: "The request path is not acceptable", granted: false },
  rule_denied: { status: 403, message: "Denied by a rule", granted: false },
  body_too_large: {
    status: 413,
    message: "The request body is larger than this proxy accepts",
    granted: false,
  },
  body_incomplete: {
    status: 400,
    message: "The request body ended before its declared length",
    granted: false,
  },
  rate_limited: { status: 429, message: "Request limit reached", granted: false },
  target_credential_invalid: {
    status: 500,
    message: "The target credential cannot be sent; the request was not forwarded",
    granted: true,
  },
  upstream_unreachable: {
    status: 502,
    message: "The upstream could not be reached",
    granted: true,
  },
  upstream_timeout: { status: 504, message: "The upstream did not answer in time", granted: true },
  not_found: { status: 404, message: "No such route", granted: false },
  async_not_available: {
    status: 501,
    message: "The queued API (/async/) is not available in this process",
    granted: false,
  },
  method_not_allowed: {
    status: 405,
    message: "The queued API takes POST, PUT, PATCH and DELETE",
    granted: false,
  },
  invalid_idempotency_key: {
    status: 400,
    message: "Idempotency-Key must be 1 to 255 visible ASCII characters",
    granted: false,
  },
  queue_unavailable: {
    status: 503,
    message: "The request could not be stored; it was not queued",
    granted: true,
  },
  internal_error: { status: 500, message: "Internal error", granted: false },
} as const satisfies Record<string, { status: number; message: string; granted: boolean }>;

export type ProxyErrorCode = keyof typeof proxyErrors;

/**
 * The JSON error answer: `{ error: { code, message, details? } }` with the
 * proxy's own headers. `details` must never hold a secret or an upstream URL.
 */
export function errorResponse(
  code: ProxyErrorCode,
  requestId: string | null,
  details?: Record<string, unknown>,
  extraHeaders?: Record<string, string>,
): Response {
  const { status, message, granted } = proxyErrors[code];
  const body = JSON.stringify({ error: details ? { code, message, details } : { code, message } });
  const headers = new Headers(extraHeaders);
  headers.set("content-type", "application/json");
  headers.set(PROXY_CODE_HEADER, granted ? ACCESS_GRANTED : ACCESS_DENIED);
  headers.set(PROXY_MESSAGE_HEADER, message);
  if (requestId !== null) headers.set(REQUEST_ID_HEADER, requestId);
  return new Response(body, { status, headers });
}
