import { compileRule, type CompiledRule } from "./compileRule.ts";
import { matchScopes, decide, type Decision, type Exceeded, type ScopeRules } from "./evaluate.ts";
import { parseRuleInput } from "./parseRule.ts";
import type { Effect, Scope } from "./rule.ts";
import type { RuleRequest } from "./ruleRequest.ts";

/**
 * Builders for the rule engine's tests: rules go through the same parser as
 * API input, so a fixture can never hold a rule the API would refuse.
 */

let sequence = 0;

/** A compiled rule from API-shaped input; throws if the parser refuses it. */
export function rule(input: Record<string, unknown>, ruleId?: string): CompiledRule {
  const parsed = parseRuleInput(input, "create");
  if (parsed.isErr()) throw new Error(`fixture refused: ${parsed.error.message}`);
  const at = "2026-01-01T00:00:00.000Z";
  const id = ruleId ?? `rul_${String(++sequence).padStart(26, "0")}`;
  return compileRule({ ...parsed.value.fields, ruleId: id, createdAt: at, updatedAt: at });
}

export function request(overrides: Partial<RuleRequest> = {}): RuleRequest {
  return { method: "GET", path: "/", headers: [], query: [], ...overrides };
}

/** One scope holding `rules`; the other three empty and allowing. */
export function onlyScope(
  scope: Scope,
  rules: CompiledRule[],
  defaultEffect: Effect = "allow",
): ScopeRules[] {
  return (["proxyCredential", "targetCredential", "proxy", "target"] as const).map((each) =>
    each === scope
      ? { scope: each, defaultEffect, rules }
      : { scope: each, defaultEffect: "allow" as const, rules: [] },
  );
}

/** Match and decide with no rate limit exceeded unless given. */
export function evaluate(
  scopes: ScopeRules[],
  req: RuleRequest,
  exceeded: Exceeded = new Map(),
): Decision {
  return decide(matchScopes(scopes, req), exceeded);
}

/** Whether a single rule's conditions hold for the request. */
export function holds(input: Record<string, unknown>, req: RuleRequest): boolean {
  const decision = evaluate(onlyScope("proxy", [rule({ effect: "deny", ...input })]), req);
  return !decision.allowed;
}
