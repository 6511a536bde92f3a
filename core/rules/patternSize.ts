/**
 * A cheap upper estimate of how many engine instructions a pattern expands
 * to, read from its source before compiling it. Compiling costs time in
 * proportion to that size, and counted repetition multiplies it:
 * `(?:ab|cd|…){1000}` is under 1000 characters yet takes a second to
 * compile. The estimate lets such a pattern be refused without paying that
 * second. It assumes the source already parsed as a JavaScript pattern with
 * the `u` flag and holds no lookaround (see `pattern.ts`).
 */
export function expandedSize(source: string): number {
  let at = 0;

  const alternation = (): number => {
    let total = sequence();
    while (source[at] === "|") {
      at++;
      total += sequence() + 1;
    }
    return total;
  };

  const sequence = (): number => {
    let total = 0;
    while (at < source.length && source[at] !== "|" && source[at] !== ")") {
      total = Math.min(total + quantified(atom()), CEILING);
    }
    return total;
  };

  const atom = (): number => {
    const c = source[at];
    if (c === "(") {
      at++;
      skipGroupPrefix();
      const inner = alternation();
      at++;
      return inner + 2;
    }
    if (c === "[") {
      skipClass();
      return 1;
    }
    if (c === "\\") {
      skipEscape();
      return 1;
    }
    at++;
    return 1;
  };

  const quantified = (size: number): number => {
    const c = source[at];
    if (c === "*" || c === "+" || c === "?") {
      at++;
      if (source[at] === "?") at++;
      return size + 2;
    }
    if (c !== "{") return size;

    const close = source.indexOf("}", at);
    const [min = "0", max] = source.slice(at + 1, close).split(",");
    at = close + 1;
    if (source[at] === "?") at++;
    const times = max === undefined ? Number(min) : max === "" ? Number(min) + 1 : Number(max);
    // An optional copy (`{1,100}`) costs a split instruction besides its body.
    return Math.min((size + 1) * Math.max(times, 1) + 2, CEILING);
  };

  // `(?:`, `(?<name>`, `(?i:`, `(?-m:` …: everything up to the group's body.
  const skipGroupPrefix = (): void => {
    if (source[at] !== "?") return;
    const end = source[at + 1] === "<" ? source.indexOf(">", at) : source.indexOf(":", at);
    at = end + 1;
  };

  const skipClass = (): void => {
    at++;
    while (at < source.length && source[at] !== "]") at += source[at] === "\\" ? 2 : 1;
    at++;
  };

  const skipEscape = (): void => {
    const kind = source[at + 1];
    const braced = source[at + 2] === "{" && (kind === "u" || kind === "p" || kind === "P");
    at = braced ? source.indexOf("}", at) + 1 : at + 2;
  };

  // The program's own start, match and failure instructions.
  return alternation() + 3;
}

const CEILING = 1e12;
