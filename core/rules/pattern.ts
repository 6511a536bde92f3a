import { RE2JS } from "re2js";
import { expandedSize } from "./patternSize.ts";
import { RULE_LIMITS } from "./rule.ts";

/**
 * Rule patterns are written as JavaScript regular expressions and run by
 * RE2JS, whose matching time is linear in the input, so no pattern can stall
 * the proxy on a long path or header (the backtracking `RegExp` can take
 * exponential time on `(a+)+$`). A pattern must therefore be both:
 *
 * - valid JavaScript with the `u` flag, which refuses the Annex B leniencies
 *   (`\k`, `\z`, `\A` as letters, a lone `{`) that RE2 would read
 *   differently; and
 * - within what a linear-time engine can do: no lookahead, no lookbehind,
 *   no backreference.
 *
 * Known differences that remain, both RE2's: `\s` is ASCII whitespace and
 * `.` excludes only `\n`.
 */

/** Why a pattern is refused, or null when it compiles. */
export function patternProblem(source: string): string | null {
  try {
    new RegExp(source, "u");
  } catch (error) {
    return `is not a valid JavaScript regular expression (${nativeReason(error, source)})`;
  }

  const unsupported = unsupportedSyntax(source);
  if (unsupported !== null) return unsupported;

  if (expandedSize(source) > RULE_LIMITS.programSize) {
    return "repeats too much: counted repetition makes it too large to compile";
  }

  let compiled: RE2JS;
  try {
    compiled = compile(source, 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `is not supported by the linear-time engine (${reason})`;
  }
  if (compiled.programSize() > RULE_LIMITS.programSize) {
    return "is too large to compile";
  }
  return null;
}

/** Compiles a pattern that `patternProblem` accepted; throws (a bug) on one it would refuse. */
export function compile(source: string, bits: number): RE2JS {
  return RE2JS.compile(RE2JS.translateRegExp(source), bits);
}

/** The engine's reason without its prefix and without the pattern, which V8 repeats whole. */
function nativeReason(error: unknown, source: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Invalid regular expression: /, "").replace(`/${source}/u: `, "");
}

/**
 * Lookaround, backreferences, and surrogate pairs written as two `\u`
 * escapes (RE2 would read two lone surrogates, which never match). Scans
 * outside character classes; escapes are skipped whole.
 */
function unsupportedSyntax(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (/^\\u[dD][89a-fA-F]/.test(source.slice(i, i + 4))) {
        return "uses a surrogate \\u escape: write the character as \\u{…}";
      }
      if (!inClass && (/[1-9]/.test(next) || next === "k")) {
        return "uses a backreference, which the linear-time engine does not support";
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    if (c === "(" && /^\(\?(=|!|<=|<!)/.test(source.slice(i, i + 4))) {
      return "uses lookahead or lookbehind, which the linear-time engine does not support";
    }
  }
  return null;
}
