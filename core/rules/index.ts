/**
 * The rule engine (spec §2 "Rule", §4 step 4): pure, synchronous, and
 * runtime-agnostic. The Core API parses input with `parseRuleInput`; the
 * proxy table compiles each rule once with `compileRule`; per request the
 * proxy calls `matchScopes`, counts the `counted` rules with its rate
 * limiter, and calls `decide`.
 */
export {
  DEFAULT_PRIORITY,
  RULE_LIMITS,
  SCOPES,
  type Effect,
  type PairCondition,
  type Presence,
  type RateLimit,
  type RateWindow,
  type Rule,
  type RuleFields,
  type Scope,
} from "./rule.ts";
export { parseRuleInput, type ParsedRule } from "./parseRule.ts";
export { compileRule, type CompiledRule } from "./compileRule.ts";
export { decodeQuery, toRuleRequest, type RuleRequest } from "./ruleRequest.ts";
export {
  byPriority,
  decide,
  matchScopes,
  type Decision,
  type Exceeded,
  type MatchedRule,
  type ScopeDecision,
  type ScopeMatch,
  type ScopeRules,
} from "./evaluate.ts";
