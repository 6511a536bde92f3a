/**
 * Query strings are edited, never re-serialised: a parameter is kept as the
 * exact bytes between its `&`s, so repeated keys, `+`, `%20`, empty values
 * and bare flags reach the upstream as the caller wrote them. Only the
 * caller's credential parameters are taken out and the target credential's
 * parameters put in.
 */

export const REDACTED = "[REDACTED]";

export type CallerParams = {
  /** The query without the caller's credential parameters; `null`: none left. */
  forwarded: string | null;
  /** The query as received, each credential value replaced by `[REDACTED]`. */
  redacted: string | null;
  /** Decoded values of the credential parameters, for authentication. */
  values: string[];
};

/**
 * Takes out every parameter whose decoded name matches one of `names`
 * (lower-case; the match ignores case, as header names do).
 */
export function takeCallerParams(query: string | null, names: readonly string[]): CallerParams {
  if (query === null || query === "") return { forwarded: query, redacted: query, values: [] };

  const lower = query.toLowerCase();
  const mayHold = lower.includes("%") || names.some((name) => lower.includes(name));
  if (!mayHold) return { forwarded: query, redacted: query, values: [] };

  const forwarded: string[] = [];
  const redacted: string[] = [];
  const values: string[] = [];
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    if (!names.includes(decodeComponent(rawName).toLowerCase())) {
      forwarded.push(part);
      redacted.push(part);
      continue;
    }
    if (eq >= 0) values.push(decodeComponent(part.slice(eq + 1)));
    redacted.push(`${rawName}=${REDACTED}`);
  }

  return {
    forwarded: forwarded.length === 0 ? null : forwarded.join("&"),
    redacted: redacted.join("&"),
    values,
  };
}

/**
 * Puts the target credential's parameters in. A parameter the caller sent
 * under the same decoded name is replaced where it stood (its later
 * repetitions dropped), so the upstream sees exactly one; the others are
 * appended. Names and values are percent-encoded, so a value holding `&`,
 * `=`, `+`, `%` or `#` decodes to exactly itself. With `redact`, values are
 * written as `[REDACTED]` (the request log's view).
 */
export function injectParams(
  query: string | null,
  inject: readonly (readonly [name: string, value: string])[],
  redact: boolean,
): string | null {
  if (inject.length === 0) return query;

  const placed = new Array<boolean>(inject.length).fill(false);
  const encoded = (i: number): string => {
    const [name, value] = inject[i] as readonly [string, string];
    return `${encodeURIComponent(name)}=${redact ? REDACTED : encodeURIComponent(value)}`;
  };

  const out: string[] = [];
  if (query !== null && query !== "") {
    for (const part of query.split("&")) {
      const eq = part.indexOf("=");
      const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
      const i = inject.findIndex(([injected]) => injected === name);
      if (i < 0) {
        out.push(part);
      } else if (!placed[i]) {
        out.push(encoded(i));
        placed[i] = true;
      }
    }
  }
  for (let i = 0; i < inject.length; i++) if (!placed[i]) out.push(encoded(i));

  return out.join("&");
}

/** application/x-www-form-urlencoded decoding; malformed escapes stay as written. */
function decodeComponent(raw: string): string {
  if (!raw.includes("%") && !raw.includes("+")) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}
