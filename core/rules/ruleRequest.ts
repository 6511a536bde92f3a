/**
 * The request as rules see it (spec §4 step 4): what the upstream will act
 * on, before the target credential is injected.
 */
export type RuleRequest = {
  /** Compared upper case, whatever case it arrives in. */
  method: string;
  /** The canonical path (`core/proxy/canonicalPath.ts`), exactly what the upstream receives. */
  path: string;
  /** Header names and values as the upstream will receive them; names in any case. */
  headers: readonly (readonly [name: string, value: string])[];
  /** Decoded query parameters (see `decodeQuery`), in order, repeats kept. */
  query: readonly (readonly [name: string, value: string])[];
};

/**
 * The rules' view of a canonical request whose query is still the raw string
 * that is forwarded byte for byte. The `Headers` are read, not kept.
 */
export function toRuleRequest(request: {
  method: string;
  path: string;
  query: string | null;
  headers: Headers | Iterable<readonly [string, string]>;
}): RuleRequest {
  return {
    method: request.method.toUpperCase(),
    path: request.path,
    headers: [...request.headers],
    query: decodeQuery(request.query),
  };
}

/**
 * Query parameters as an upstream reads them: split on `&`, `+` as a space,
 * percent-decoded as UTF-8, the way application/x-www-form-urlencoded
 * parsing does (WHATWG URL §5.1) and web frameworks follow. A rule on
 * `token` must see `%74oken=…` and `tok%65n=…` too, because the upstream
 * will. A malformed escape stays as written and bytes that are not UTF-8
 * become U+FFFD, as in that parser.
 *
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 */
export function decodeQuery(query: string | null): [name: string, value: string][] {
  if (query === null || query === "") return [];
  // URLSearchParams drops one leading `?`; the raw query never starts with
  // the separator, so a `?` there belongs to the first name.
  return [...new URLSearchParams(`?${query}`)];
}
