import type { FieldIssue } from "../domain/errors.ts";

/**
 * Rule input arrives in several spellings: the flat one of spec §2, the
 * nested `path: { pattern, presence }` / `method: { … }` form of the
 * RequestRocket API reference, its `headerChecks` / `queryChecks` names, and
 * the `rule`-prefixed names some of its pages use (`rulePathPattern`,
 * `ruleEffect`). All are read into the flat spelling here; answers use only
 * that one. A field given under two spellings with different values is
 * refused rather than one of them silently winning.
 */

/** Where each flat field may be found; `a.b` is field `b` of the object under `a`. */
const SPELLINGS = {
  effect: ["effect", "ruleEffect"],
  priority: ["priority", "rulePriority"],
  notes: ["notes", "ruleNotes"],
  methods: ["methods", "ruleMethods"],
  methodPattern: ["methodPattern", "ruleMethodPattern", "method.pattern", "ruleMethod.pattern"],
  methodPresence: [
    "methodPresence",
    "ruleMethodPresence",
    "method.presence",
    "ruleMethod.presence",
  ],
  pathPattern: ["pathPattern", "rulePathPattern", "path.pattern", "rulePath.pattern"],
  pathPresence: ["pathPresence", "rulePathPresence", "path.presence", "rulePath.presence"],
  headers: ["headers", "headerChecks", "ruleHeaders", "ruleHeaderChecks"],
  query: ["query", "queryChecks", "ruleQuery", "ruleQueryChecks"],
  regexFlags: ["regexFlags", "ruleRegexFlags"],
  rateLimit: ["rateLimit", "ruleRateLimit"],
} as const;

export type FlatKey = keyof typeof SPELLINGS;

export const FLAT_KEYS = Object.keys(SPELLINGS) as FlatKey[];

/** Spellings of the fields of one header or query condition. */
const PAIR_SPELLINGS = {
  name: ["name", "namePattern", "headerName", "paramName", "parameterName", "key"],
  value: ["value", "valuePattern", "headerValue", "paramValue", "parameterValue"],
  presence: ["presence"],
} as const;

export type Respelled = { flat: Partial<Record<FlatKey, unknown>>; issues: FieldIssue[] };

/** The flat spelling of a rule input object; fields it does not know are left out. */
export function respellRule(input: Record<string, unknown>): Respelled {
  const flat: Partial<Record<FlatKey, unknown>> = {};
  const issues: FieldIssue[] = [];

  for (const parent of ["path", "rulePath", "method", "ruleMethod"]) {
    const value = input[parent];
    const shaped = value === undefined || value === null || typeof value === "string";
    if (!shaped && !isRecord(value)) {
      issues.push({ field: parent, message: "must be an object with pattern and presence" });
    }
  }

  for (const key of FLAT_KEYS) {
    const found = SPELLINGS[key].flatMap((spelling) => lookUp(input, spelling));
    if (found.length === 0) continue;

    const [first] = found;
    const differs = found.some(
      (other) => JSON.stringify(other.value) !== JSON.stringify(first?.value),
    );
    if (differs) {
      const names = found.map((other) => other.spelling).join(", ");
      issues.push({ field: key, message: `is given twice with different values (${names})` });
      continue;
    }
    flat[key] = key === "headers" || key === "query" ? respellPairs(first?.value) : first?.value;
  }

  return { flat, issues };
}

type Found = { spelling: string; value: unknown };

function lookUp(input: Record<string, unknown>, spelling: string): Found[] {
  const [parent, child] = spelling.split(".") as [string, string | undefined];
  if (!(parent in input) || input[parent] === undefined) return [];
  const value = input[parent];
  if (child === undefined) return [{ spelling, value }];

  // `path: null` clears the condition; `path: "^/admin"` is its pattern alone.
  if (value === null) return [{ spelling, value: null }];
  if (typeof value === "string") return child === "pattern" ? [{ spelling, value }] : [];
  if (!isRecord(value) || value[child] === undefined) return [];
  return [{ spelling, value: value[child] }];
}

function respellPairs(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item: unknown) => {
    if (!isRecord(item)) return item;
    const pair: Record<string, unknown> = {};
    for (const [field, spellings] of Object.entries(PAIR_SPELLINGS)) {
      const spelling = spellings.find((name) => item[name] !== undefined);
      if (spelling !== undefined) pair[field] = item[spelling];
    }
    return pair;
  });
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
