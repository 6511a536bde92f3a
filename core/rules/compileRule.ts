import { compile } from "./pattern.ts";
import { CASE_INSENSITIVE, flagBits } from "./regexFlags.ts";
import type { Effect, PairCondition, RateLimit, Rule } from "./rule.ts";

/** Whether a pattern is found in (or, for a method, matches the whole of) an input. */
export type Matcher = (input: string) => boolean;

export type CompiledPair = { name: Matcher; value: Matcher | null; present: boolean };

/**
 * A rule ready to evaluate: every pattern compiled once, when the rule
 * changes, never per request. Carries no pattern text and no notes, so
 * nothing built from it can leak them into a denial.
 */
export type CompiledRule = {
  ruleId: string;
  effect: Effect;
  priority: number;
  rateLimit: RateLimit | null;
  /** Upper case. */
  methods: ReadonlySet<string> | null;
  method: { matches: Matcher; present: boolean } | null;
  path: { matches: Matcher; present: boolean } | null;
  headers: CompiledPair[];
  query: CompiledPair[];
  /**
   * A stored pattern the engine no longer compiles (stored rules were
   * checked when written, so only an engine upgrade can cause this). Such a
   * rule fails closed: a deny matches every request, an allow none.
   */
  broken: boolean;
};

/**
 * Compiles a stored rule.
 *
 * - `methodPattern` must match the whole method and ignores case: the
 *   request's method is upper case, so `delete` written without `i` would
 *   otherwise deny nothing.
 * - `pathPattern` is searched, not anchored, in the canonical path.
 * - Header names ignore case whatever the flags, because header field names
 *   are case-insensitive (RFC 9110 §5.1); header values, query names and
 *   query values follow `regexFlags`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.1
 */
export function compileRule(rule: Rule): CompiledRule {
  const bits = flagBits(rule.regexFlags);
  let broken = false;
  const matcher = (source: string, extraBits: number, whole: boolean): Matcher => {
    try {
      const pattern = compile(source, bits | extraBits);
      return whole ? (input) => pattern.testExact(input) : (input) => pattern.test(input);
    } catch {
      broken = true;
      return () => false;
    }
  };
  const pairs = (conditions: PairCondition[] | undefined, nameBits: number): CompiledPair[] =>
    (conditions ?? []).map((condition) => ({
      name: matcher(condition.name, nameBits, false),
      value: condition.value === undefined ? null : matcher(condition.value, 0, false),
      present: condition.presence === "present",
    }));

  const compiled: CompiledRule = {
    ruleId: rule.ruleId,
    effect: rule.effect,
    priority: rule.priority,
    rateLimit: rule.rateLimit ?? null,
    methods: rule.methods === undefined ? null : new Set(rule.methods),
    method:
      rule.methodPattern === undefined
        ? null
        : {
            matches: matcher(rule.methodPattern, CASE_INSENSITIVE, true),
            present: rule.methodPresence !== "absent",
          },
    path:
      rule.pathPattern === undefined
        ? null
        : { matches: matcher(rule.pathPattern, 0, false), present: rule.pathPresence !== "absent" },
    headers: pairs(rule.headers, CASE_INSENSITIVE),
    query: pairs(rule.query, 0),
    broken: false,
  };
  compiled.broken = broken;
  return compiled;
}
