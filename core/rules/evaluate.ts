import type { CompiledRule } from "./compileRule.ts";
import { conditionsHold } from "./matchRule.ts";
import type { Effect, Scope } from "./rule.ts";
import type { RuleRequest } from "./ruleRequest.ts";

export type { RuleRequest };

/** One scope's rules, as the proxy table holds them. */
export type ScopeRules = { scope: Scope; defaultEffect: Effect; rules: readonly CompiledRule[] };

/** What one scope's rules make of a request, before any rate-limit counter is consulted. */
export type ScopeMatch = {
  scope: Scope;
  defaultEffect: Effect;
  /** Rules without a rate limit whose every condition holds. */
  matched: CompiledRule[];
  /**
   * Rules with a rate limit whose other conditions hold. The request counts
   * toward each of them (whether or not it is then allowed), and each
   * matches only when that count is over its limit in the current window.
   */
  counted: CompiledRule[];
};

/**
 * Rate-limited rules over their limit in the current window: rule id →
 * seconds until that window ends (what a 429 puts in `Retry-After`). The
 * app fills it from the rate limiter port, one `take` per `counted` rule
 * (key `rule:{ruleId}`, the rule's `limit` and window length); a refused
 * take is an exceeded rule.
 */
export type Exceeded = ReadonlyMap<string, number>;

/** A rule that took part in a scope's decision: ids, effects and priorities only. */
export type MatchedRule = {
  ruleId: string;
  effect: Effect;
  priority: number;
  rateLimited: boolean;
};

/** One scope's decision, as an explain answer shows it. */
export type ScopeDecision = {
  scope: Scope;
  effect: Effect;
  defaultEffect: Effect;
  /** No rule matched, so the scope's default decided. */
  defaultUsed: boolean;
  /** Every matching rule, highest priority first (ties by rule id). */
  matched: MatchedRule[];
  /** Rate-limited rules this request counted toward, matched or not. */
  countedRuleIds: string[];
  /** The highest-priority rule of the deciding effect; null when the default decided. */
  ruleId: string | null;
  /** Denied only by rules over their rate limit: the caller may retry later. */
  rateLimited: boolean;
  /** For a rate-limited denial: seconds until every denying window has ended. */
  retryAfterSeconds?: number;
};

export type Decision =
  | { allowed: true; scopes: ScopeDecision[] }
  | {
      allowed: false;
      scope: Scope;
      /** The deciding rule; null when the scope's default denied. */
      ruleId: string | null;
      status: 403 | 429;
      retryAfterSeconds?: number;
      scopes: ScopeDecision[];
    };

/**
 * Step one of evaluation (spec §4 step 4), pure and synchronous: per scope,
 * the rules whose conditions hold. The caller then counts the request
 * toward every `counted` rule and passes the ones over their limit to
 * `decide`.
 */
export function matchScopes(scopes: readonly ScopeRules[], request: RuleRequest): ScopeMatch[] {
  const seen: RuleRequest = { ...request, method: request.method.toUpperCase() };
  return scopes.map(({ scope, defaultEffect, rules }) => {
    const matched: CompiledRule[] = [];
    const counted: CompiledRule[] = [];
    for (const rule of rules) {
      if (!conditionsHold(rule, seen)) continue;
      (rule.rateLimit === null ? matched : counted).push(rule);
    }
    return { scope, defaultEffect, matched, counted };
  });
}

/**
 * Step two: within a scope any matching deny denies, else any matching
 * allow allows, else the scope's default decides; the request passes only
 * if every scope allows. Priority orders what is reported and never changes
 * the outcome.
 *
 * A denial names a scope and a rule. A permanent denial (403) is reported
 * before a rate-limited one (429), since waiting would not help; among
 * scopes of the same kind the first in evaluation order is named, and a
 * 429's `retryAfterSeconds` is the longest wait among the denying scopes.
 */
export function decide(matches: readonly ScopeMatch[], exceeded: Exceeded): Decision {
  const scopes = matches.map((match) => decideScope(match, exceeded));
  const denying = scopes.filter((scope) => scope.effect === "deny");
  if (denying.length === 0) return { allowed: true, scopes };

  const permanent = denying.find((scope) => !scope.rateLimited);
  if (permanent !== undefined) {
    return {
      allowed: false,
      scope: permanent.scope,
      ruleId: permanent.ruleId,
      status: 403,
      scopes,
    };
  }

  const [first] = denying as [ScopeDecision, ...ScopeDecision[]];
  const retryAfterSeconds = Math.max(...denying.map((scope) => scope.retryAfterSeconds ?? 0));
  return {
    allowed: false,
    scope: first.scope,
    ruleId: first.ruleId,
    status: 429,
    retryAfterSeconds,
    scopes,
  };
}

function decideScope(match: ScopeMatch, exceeded: Exceeded): ScopeDecision {
  const over = match.counted.filter((rule) => exceeded.has(rule.ruleId));
  const active = [...match.matched, ...over].sort(byPriority);
  const denies = active.filter((rule) => rule.effect === "deny");
  const allows = active.filter((rule) => rule.effect === "allow");

  const effect: Effect =
    denies.length > 0 ? "deny" : allows.length > 0 ? "allow" : match.defaultEffect;
  const deciding = effect === "deny" ? denies : allows;
  // A deny that holds regardless of any counter outranks one that only
  // holds while a limit is exceeded: it is the one the caller must know of.
  const permanentDeny = denies.find((rule) => rule.rateLimit === null);
  const decidingRule = permanentDeny ?? deciding[0] ?? null;
  const rateLimited = denies.length > 0 && permanentDeny === undefined;

  const decision: ScopeDecision = {
    scope: match.scope,
    effect,
    defaultEffect: match.defaultEffect,
    defaultUsed: active.length === 0,
    matched: active.map((rule) => ({
      ruleId: rule.ruleId,
      effect: rule.effect,
      priority: rule.priority,
      rateLimited: rule.rateLimit !== null,
    })),
    countedRuleIds: match.counted.map((rule) => rule.ruleId),
    ruleId: decidingRule?.ruleId ?? null,
    rateLimited,
  };
  if (rateLimited) {
    decision.retryAfterSeconds = Math.max(...denies.map((rule) => exceeded.get(rule.ruleId) ?? 0));
  }
  return decision;
}

/** Highest priority first; equal priorities by rule id, so the order never depends on storage. */
export function byPriority(
  a: { priority: number; ruleId: string },
  b: { priority: number; ruleId: string },
): number {
  return b.priority - a.priority || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
