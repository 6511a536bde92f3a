import { connectionListed, isHopByHop } from "./hopByHop.ts";
import type { Injection } from "./route.ts";

/**
 * The caller's headers as rules see them and as they go upstream: without
 * connection-scoped fields, without `Host` (the upstream URL sets it),
 * without every place the caller's credential may travel (`Authorization`,
 * `Proxy-Authorization`, the `apiKey` header `callerHeader`), and without
 * the caller's `X-Request-Id` (Ferry sets its own). `X-Forwarded-*` stay for
 * `forwardHeaders` to extend.
 */
export function callerHeaders(incoming: Headers, callerHeader: string | null): Headers {
  const listed = connectionListed(incoming);
  const out = new Headers();
  for (const [name, value] of incoming) {
    if (isHopByHop(name, listed)) continue;
    if (name === "host" || name === "authorization" || name === "x-request-id") continue;
    if (name === callerHeader) continue;
    out.append(name, value);
  }
  return out;
}

export type Forwarding = {
  requestId: string;
  /** The peer address of the caller's connection; null when unknown. */
  clientAddress: string | null;
  /** The `Host` the caller sent. */
  host: string | null;
};

/**
 * Turns `callerHeaders` into the upstream request's headers, in place: the
 * target credential's headers replace any the caller sent under the same name
 * (exactly one value each), and the forwarding headers are set.
 *
 * `X-Forwarded-For` appends the caller's address to the list a terminator in
 * front of Ferry may have started; `X-Forwarded-Proto` and `-Host` keep a
 * value such a terminator set (it saw the original scheme and host) and
 * otherwise say what Ferry saw. Throws a `TypeError` when an injected name or
 * value cannot be a header (CR, LF, NUL): the caller must then fail closed.
 */
export function forwardHeaders(headers: Headers, inject: Injection, forwarding: Forwarding): void {
  for (const [name, value] of inject.headers) headers.set(name, value);

  const { requestId, clientAddress, host } = forwarding;
  if (clientAddress !== null) {
    const chain = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", chain === null ? clientAddress : `${chain}, ${clientAddress}`);
  }
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (host !== null && !headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  headers.set("x-request-id", requestId);
}
