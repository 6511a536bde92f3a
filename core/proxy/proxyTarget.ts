/** The parts of a raw `/api/{proxyId}/{rest}?{query}` request target. */
export type ProxyTarget = {
  /** As sent, not decoded: proxy ids are plain ASCII, anything else is unknown. */
  proxyId: string;
  /** What follows the proxy id, not yet canonical: `""` or `/…`. */
  rest: string;
  /** Everything after the first `?`, byte for byte; `null` when there is no `?`. */
  query: string | null;
  /** A `#` was sent: no valid request target has one (RFC 9112 §3.2). */
  fragment: boolean;
};

/** The synchronous API's prefix; the queued API's is `/async/`. */
export const API_PREFIX = "/api/";
export const ASYNC_PREFIX = "/async/";

/**
 * Splits the request URL exactly as the server received it. A re-serialised
 * `URL` would re-encode and re-resolve the path, which is the canonicaliser's
 * job alone. Bun gives `http://{host}/…`, or only the path when the `Host`
 * header cannot form a URL. Answers `null` for a target not under `prefix`.
 */
export function parseProxyTarget(url: string, prefix = API_PREFIX): ProxyTarget | null {
  const pathStart = url.charCodeAt(0) === 47 ? 0 : url.indexOf("/", url.indexOf("://") + 3);
  if (pathStart < 0 || !url.startsWith(prefix, pathStart)) return null;
  const hash = url.indexOf("#", pathStart);
  const end = hash < 0 ? url.length : hash;
  const queryStart = url.indexOf("?", pathStart);
  const hasQuery = queryStart >= 0 && queryStart < end;
  const pathEnd = hasQuery ? queryStart : end;
  const idStart = pathStart + prefix.length;
  const slash = url.indexOf("/", idStart);
  const idEnd = slash < 0 || slash > pathEnd ? pathEnd : slash;

  return {
    proxyId: url.slice(idStart, idEnd),
    rest: url.slice(idEnd, pathEnd),
    query: hasQuery ? url.slice(queryStart + 1, end) : null,
    fragment: hash >= 0,
  };
}
