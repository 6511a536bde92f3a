import { ok, type Result } from "neverthrow";
import type * as z from "zod";
import { invalidFields, type DomainError, type FieldIssue } from "../domain/errors.ts";
import { compileRule } from "./compileRule.ts";
import { pathPatternProblem } from "./pathPatternProblem.ts";
import { parseRegexFlags } from "./regexFlags.ts";
import type { PairCondition, RuleFields } from "./rule.ts";
import { ruleSchema, type CheckedRule } from "./ruleSchema.ts";
import { isRecord, respellRule } from "./ruleSpellings.ts";

export type ParsedRule = { fields: RuleFields; warnings: string[] };

type Issue = FieldIssue & { pattern: boolean };

/**
 * A rule from API input, in the flat spelling of spec §2, with the warnings
 * its 201 answer carries. Every pattern is compiled here, so an invalid one
 * is refused (400) before anything is stored, naming the field
 * (`pathPattern`, `headers[1].value`).
 *
 * - `create` and `replace` take the whole rule: `effect` is required.
 * - `patch` applies the fields given to `current` (null clears a field) and
 *   checks the result whole, so a change of `regexFlags` alone re-checks
 *   every pattern.
 *
 * Refusals are `invalid_pattern` when only patterns are wrong, otherwise
 * `invalid_input`; both list every bad field in `details.issues`.
 */
export function parseRuleInput(
  input: unknown,
  mode: "create" | "replace",
): Result<ParsedRule, DomainError>;
export function parseRuleInput(
  input: unknown,
  mode: "patch",
  current: RuleFields,
): Result<ParsedRule, DomainError>;
export function parseRuleInput(
  input: unknown,
  mode: "create" | "replace" | "patch",
  current?: RuleFields,
): Result<ParsedRule, DomainError> {
  if (!isRecord(input)) return refuse([issue("input", "must be a JSON object")]);

  const { flat, issues: spellingIssues } = respellRule(input);
  const merged: Record<string, unknown> = mode === "patch" ? { ...current } : {};
  for (const [key, value] of Object.entries(flat)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }

  const checked = ruleSchema.safeParse(merged);
  const issues = [
    ...spellingIssues.map((found) => ({ ...found, pattern: false })),
    ...(checked.success ? [] : checked.error.issues.map(fromZod)),
    ...canonicalPathIssues(merged),
  ];
  if (!checked.success || issues.length > 0) return refuse(issues);

  const fields = toFields(checked.data);

  // The checks above compiled each pattern alone; this compiles the rule as
  // the proxy will, flags included, so what is stored always compiles.
  if (compileRule({ ...fields, ruleId: "", createdAt: "", updatedAt: "" }).broken) {
    return refuse([
      { ...issue("regexFlags", "the patterns do not compile with these flags"), pattern: true },
    ]);
  }

  return ok({ fields, warnings: warningsFor(fields, checked.data.regexFlags) });
}

/** A `pathPattern` that compiles yet can never match a canonical path (`pathPatternProblem.ts`). */
function canonicalPathIssues(rule: Record<string, unknown>): Issue[] {
  const { pathPattern, regexFlags } = rule;
  if (typeof pathPattern !== "string") return [];
  const ignoreCase = typeof regexFlags === "string" && regexFlags.includes("i");
  const problem = pathPatternProblem(pathPattern, ignoreCase);
  return problem === null ? [] : [{ field: "pathPattern", message: problem, pattern: true }];
}

function toFields(rule: CheckedRule): RuleFields {
  const flags = rule.regexFlags === undefined ? undefined : parseRegexFlags(rule.regexFlags);
  const regexFlags = typeof flags === "object" && flags.flags !== "" ? flags.flags : undefined;
  const pairs = (list: CheckedRule["headers"]): PairCondition[] | undefined =>
    list?.map(({ name, value, presence }) =>
      value === undefined ? { name, presence } : { name, value, presence },
    );

  const fields: RuleFields = { effect: rule.effect, priority: rule.priority };
  if (rule.notes !== undefined) fields.notes = rule.notes;
  if (rule.methods !== undefined) fields.methods = rule.methods;
  if (rule.methodPattern !== undefined) {
    fields.methodPattern = rule.methodPattern;
    fields.methodPresence = rule.methodPresence ?? "present";
  }
  if (rule.pathPattern !== undefined) {
    fields.pathPattern = rule.pathPattern;
    fields.pathPresence = rule.pathPresence ?? "present";
  }
  if (rule.headers !== undefined) fields.headers = pairs(rule.headers);
  if (rule.query !== undefined) fields.query = pairs(rule.query);
  if (regexFlags !== undefined) fields.regexFlags = regexFlags;
  if (rule.rateLimit !== undefined) fields.rateLimit = rule.rateLimit;
  return fields;
}

function warningsFor(fields: RuleFields, flagsAsGiven: string | undefined): string[] {
  const warnings: string[] = [];
  const flags = flagsAsGiven === undefined ? undefined : parseRegexFlags(flagsAsGiven);
  if (typeof flags === "object") warnings.push(...flags.warnings);

  const conditions = [
    fields.methods,
    fields.methodPattern,
    fields.pathPattern,
    fields.headers,
    fields.query,
  ];
  if (conditions.every((condition) => condition === undefined) && fields.rateLimit === undefined) {
    const verb = fields.effect === "deny" ? "denies" : "allows";
    warnings.push(`this rule has no condition: it ${verb} all traffic in its scope`);
  }
  if (fields.rateLimit !== undefined && fields.effect === "allow") {
    warnings.push(
      "rateLimit on an allow rule makes it match only the requests over the limit; " +
        "a deny rule with rateLimit is what limits traffic",
    );
  }
  return warnings;
}

const issue = (field: string, message: string): Issue => ({ field, message, pattern: false });

/** `headers.1.value` in zod's terms is `headers[1].value` in answers. */
function fromZod(zodIssue: z.core.$ZodIssue): Issue {
  const field = zodIssue.path
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
  const params = (zodIssue as { params?: { pattern?: boolean } }).params;
  return { field: field || "input", message: zodIssue.message, pattern: params?.pattern === true };
}

function refuse(issues: Issue[]): Result<never, DomainError> {
  const code = issues.every((found) => found.pattern) ? "invalid_pattern" : "invalid_input";
  return invalidFields(
    code,
    issues.map(({ field, message }) => ({ field, message })),
  );
}
