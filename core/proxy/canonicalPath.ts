import { err, ok, type Result } from "neverthrow";

export type InvalidPathReason =
  | "encoded_slash"
  | "backslash"
  | "nul"
  | "bad_percent_encoding"
  | "ambiguous_segment"
  | "climbs_above_root"
  | "fragment";

export type InvalidPath = { code: "invalid_path"; reason: InvalidPathReason };

const invalid = (reason: InvalidPathReason): Result<string, InvalidPath> =>
  err({ code: "invalid_path", reason });

const PERCENT = 37;
const SLASH = 47;
const DOT = 46;
const BACKSLASH = 92;

/**
 * The one canonical form of the path below `/api/{proxyId}` (spec §4 step 3).
 * Rules match it and the upstream receives it, so the two can never disagree.
 *
 * - Unreserved characters (RFC 3986 §2.3) are percent-decoded; every other
 *   percent-encoding is kept, with upper-case hex (RFC 3986 §6.2.2.1), so
 *   `%c3%a9` and `%C3%A9` are one path.
 * - `.` and `..` segments are resolved (RFC 3986 §5.2.4) and repeated slashes
 *   collapse; a trailing slash is kept. The empty path is `/`.
 * - `%25` (a literal `%`) stays encoded and is not decoded again: `%2541` is
 *   the three characters `%41`, not `A`.
 * - Refused as ambiguous: a segment that one more decoding (or several) would
 *   turn into a separator, a NUL or a dot segment (`%252F`, `%252e%252e`,
 *   `..%3Bx`), and a dot segment carrying a `;` parameter (`..;x`). Only an
 *   upstream that decodes twice, or strips parameters before resolving dots,
 *   reads them differently, and for such an upstream they are a traversal.
 *
 * `rest` is what follows `/api/{proxyId}` in the raw request target: `""` or `/…`.
 */
export function canonicalPath(rest: string): Result<string, InvalidPath> {
  if (rest === "" || rest === "/") return ok("/");
  if (rest.charCodeAt(0) !== SLASH) return canonicalPath("/" + rest);
  if (!needsWork(rest)) return ok(rest);

  const decoded = decodeUnreserved(rest);
  if (decoded.isErr()) return decoded;

  return resolveSegments(decoded.value);
}

/** Fast path: most paths hold no `%`, `\`, `//` and no segment starting with a dot. */
function needsWork(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === BACKSLASH || c === 0) return true;
    if (c === SLASH) {
      const next = path.charCodeAt(i + 1);
      if (next === SLASH || next === DOT) return true;
    }
  }
  return false;
}

function decodeUnreserved(path: string): Result<string, InvalidPath> {
  let out = "";
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === BACKSLASH) return invalid("backslash");
    if (c === 0) return invalid("nul");
    if (c !== PERCENT) continue;

    const byte = hexByte(path, i + 1);
    if (byte < 0) return invalid("bad_percent_encoding");
    if (byte === SLASH) return invalid("encoded_slash");
    if (byte === BACKSLASH) return invalid("backslash");
    if (byte === 0) return invalid("nul");

    out += path.slice(from, i);
    out += isUnreserved(byte)
      ? String.fromCharCode(byte)
      : "%" + path.slice(i + 1, i + 3).toUpperCase();
    from = i + 3;
    i += 2;
  }
  return ok(out + path.slice(from));
}

function resolveSegments(path: string): Result<string, InvalidPath> {
  const segments = path.split("/");
  const kept: string[] = [];
  let trailingSlash = false;

  // segments[0] is what precedes the leading slash: always empty here.
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    trailingSlash = false;

    if (segment === "" || segment === ".") {
      trailingSlash = last;
      continue;
    }
    if (segment === "..") {
      if (kept.length === 0) return invalid("climbs_above_root");
      kept.pop();
      trailingSlash = last;
      continue;
    }
    const dotParameter = segment.startsWith(".;") || segment.startsWith("..;");
    if (dotParameter) return invalid("ambiguous_segment");
    if (segment.includes("%") && !survivesFurtherDecoding(segment)) {
      return invalid("ambiguous_segment");
    }
    kept.push(segment);
  }

  if (kept.length === 0) return ok("/");
  return ok("/" + kept.join("/") + (trailingSlash ? "/" : ""));
}

/**
 * Whether a segment stays an ordinary segment however many more times an
 * upstream percent-decodes it: it never becomes a dot segment and never
 * yields a separator or NUL.
 */
function survivesFurtherDecoding(segment: string): boolean {
  let current = segment;
  for (let round = 0; round < 4 && current.includes("%"); round++) {
    current = current.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (/[/\\\0]/.test(current)) return false;
    const name = current.split(";")[0];
    if (name === "." || name === "..") return false;
  }
  return true;
}

function hexByte(s: string, at: number): number {
  const hi = hexDigit(s.charCodeAt(at));
  const lo = hexDigit(s.charCodeAt(at + 1));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 65 && byte <= 90) ||
    (byte >= 97 && byte <= 122) ||
    (byte >= 48 && byte <= 57) ||
    byte === 45 ||
    byte === DOT ||
    byte === 95 ||
    byte === 126
  );
}
