/**
 * Connection-scoped header fields, which a proxy must not forward in either
 * direction (RFC 9110 §7.6.1): `Connection` itself, every field it lists, and
 * the fields that are hop-by-hop by definition. `Proxy-*` fields
 * (`Proxy-Authorization`, `Proxy-Authenticate`, `Proxy-Connection`, …) speak
 * to this hop's proxy, so they stop here too.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Lower-case names that `Connection` lists; `null` when there is no `Connection`. */
export function connectionListed(headers: Headers): Set<string> | null {
  const connection = headers.get("connection");
  // The two common values list nothing beyond fields that are dropped anyway.
  if (connection === null || isPlainConnection(connection)) return null;
  const listed = new Set<string>();
  for (const token of connection.split(",")) {
    const name = token.trim().toLowerCase();
    if (name !== "") listed.add(name);
  }
  return listed;
}

function isPlainConnection(value: string): boolean {
  const lower = value.length <= 10 ? value.toLowerCase() : "";
  return lower === "keep-alive" || lower === "close";
}

/** `name` in lower case, as `Headers` iteration yields it. */
export function isHopByHop(name: string, listed: Set<string> | null): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith("proxy-") || (listed !== null && listed.has(name));
}

/** Removes every connection-scoped field from `headers` in place. */
export function stripHopByHop(headers: Headers): void {
  const listed = connectionListed(headers);
  const doomed: string[] = [];
  for (const name of headers.keys()) if (isHopByHop(name, listed)) doomed.push(name);
  for (const name of doomed) headers.delete(name);
}
