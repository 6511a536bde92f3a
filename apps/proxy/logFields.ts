/**
 * Field names of the proxy's structured log lines, in one place so that a
 * search over logs finds every line of a request. No field ever holds a
 * secret, an `Authorization` or `Cookie` value, or an upstream query string.
 */
export const logFields = {
  requestId: "requestId",
  proxyId: "proxyId",
  code: "code",
  /** The failing call's error code or name (`ConnectionRefused`, `TimeoutError`). */
  cause: "cause",
  /** Scheme, host and port of the upstream: never its path or query. */
  upstreamOrigin: "upstreamOrigin",
} as const;
