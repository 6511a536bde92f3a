import { RE2JS } from "re2js";

export type ParsedFlags = { flags: string; warnings: string[] };

/**
 * `regexFlags` as written for JavaScript, reduced to what a condition can
 * mean. `i`, `m` and `s` are kept (in that order). `u` is accepted and
 * dropped: patterns are always read with Unicode semantics. `g` is accepted
 * and dropped with a warning: a condition asks only whether the pattern is
 * found, and the RequestRocket pages list `g` among the flags. `y` is
 * refused, because honouring it would anchor the pattern and ignoring it
 * would match more than the author wrote; `d`, `v` and any other letter are
 * refused too. Answers the reason for a refusal as a string.
 */
export function parseRegexFlags(text: string): ParsedFlags | string {
  const seen = new Set<string>();
  for (const flag of text) {
    if (flag === "y") return "y (sticky) is not supported: anchor the pattern with ^ instead";
    if (!"imsgu".includes(flag)) return `${JSON.stringify(flag)} is not a supported flag (i, m, s)`;
    seen.add(flag);
  }

  const flags = ["i", "m", "s"].filter((flag) => seen.has(flag)).join("");
  const warnings = seen.has("g")
    ? ["regexFlags: g has no meaning for a condition and was dropped"]
    : [];
  return { flags, warnings };
}

/** The engine's flag bits for a stored `regexFlags`. */
export function flagBits(flags: string | undefined): number {
  let bits = 0;
  if (flags === undefined) return bits;
  if (flags.includes("i")) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) bits |= RE2JS.MULTILINE;
  if (flags.includes("s")) bits |= RE2JS.DOTALL;
  return bits;
}

export const CASE_INSENSITIVE: number = RE2JS.CASE_INSENSITIVE;
