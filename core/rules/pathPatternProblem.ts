/**
 * Why a `pathPattern` can never match a canonical path, or null. The
 * canonical path (`core/proxy/canonicalPath.ts`) is ASCII: characters
 * outside it arrive percent-encoded as UTF-8, unreserved characters are
 * decoded, and the hex digits of what stays encoded are upper case. A deny
 * rule whose literal can never occur there would silently deny nothing, so
 * such a literal is refused with the spelling that does match.
 */
export function pathPatternProblem(source: string, ignoreCase: boolean): string | null {
  const nonAscii = /[^\x00-\x7f]/u.exec(source);
  if (nonAscii !== null) {
    const char = nonAscii[0];
    return `can never match: the canonical path is ASCII, so write ${char} as ${encodeURIComponent(char)}`;
  }

  for (const [escape, hex] of source.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    const char = String.fromCharCode(parseInt(hex as string, 16));
    if (/[A-Za-z0-9\-._~]/.test(char)) {
      return `can never match: the canonical path decodes ${escape} to ${char}, so write ${char}`;
    }
    if (!ignoreCase && /[a-f]/.test(hex as string)) {
      const upper = (escape as string).toUpperCase();
      return `can never match: the canonical path writes percent-encodings in upper case (${upper})`;
    }
  }
  return null;
}
