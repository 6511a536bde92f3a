import type { CompiledPair, CompiledRule } from "./compileRule.ts";
import type { RuleRequest } from "./ruleRequest.ts";

/**
 * Whether every condition a rule states holds for the request (AND); a rule
 * that states none holds for every request. Its rate limit is not looked at
 * here. `request.method` must already be upper case.
 */
export function conditionsHold(rule: CompiledRule, request: RuleRequest): boolean {
  if (rule.broken) return rule.effect === "deny";

  if (rule.methods !== null && !rule.methods.has(request.method)) return false;
  if (rule.method !== null && rule.method.matches(request.method) !== rule.method.present) {
    return false;
  }
  if (rule.path !== null && rule.path.matches(request.path) !== rule.path.present) return false;
  for (const condition of rule.headers) {
    if (pairFound(condition, request.headers) !== condition.present) return false;
  }
  for (const condition of rule.query) {
    if (pairFound(condition, request.query) !== condition.present) return false;
  }
  return true;
}

/** Some pair matches the name pattern, and the value pattern when there is one. */
function pairFound(
  condition: CompiledPair,
  pairs: readonly (readonly [string, string])[],
): boolean {
  for (const [name, value] of pairs) {
    if (condition.name(name) && (condition.value === null || condition.value(value))) return true;
  }
  return false;
}
