/**
 * Step 4 of the proxy (spec §4): rules in four scopes, then the proxy's own
 * request limits. A route with no rule and no limit is allowed without
 * looking at the request at all; rules are matched synchronously against
 * rules compiled when they changed; only a request that counts toward a rate
 * limit waits on the rate limiter (and so, on a shared limiter, possibly on
 * Postgres).
 */
import {
  mostRestrictive,
  rateLimitHeaders,
  rateLimitWindowMs,
  type RateLimiter,
  type RateLimitResult,
} from "../../adapters/rateLimit/index.ts";
import type { Authorize, AuthorizeDecision, CanonicalRequest } from "../../core/proxy/authorize.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";
import { decide, matchScopes, toRuleRequest, type ScopeMatch } from "../../core/rules/index.ts";

const ALLOWED: AuthorizeDecision = { allowed: true };
const NOTHING_EXCEEDED = new Map<string, number>();

const isOpen = (route: ProxyRoute): boolean =>
  (route.scopes === undefined ||
    route.scopes.every((scope) => scope.rules.length === 0 && scope.defaultEffect === "allow")) &&
  !route.limits?.perMinute &&
  !route.limits?.perDay;

// Worked out once per route object: the proxy table replaces a route whenever
// its rules, defaults or limits change, so the answer never goes stale.
const openRoutes = new WeakMap<ProxyRoute, boolean>();
const needsNoCheck = (route: ProxyRoute): boolean => {
  let open = openRoutes.get(route);
  if (open === undefined) {
    open = isOpen(route);
    openRoutes.set(route, open);
  }
  return open;
};

export const createAuthorizer = (deps: { limiter: RateLimiter; now?: () => number }): Authorize => {
  const now = deps.now ?? Date.now;

  const countRules = async (matches: ScopeMatch[], at: number) => {
    const exceeded = new Map<string, number>();
    const results: RateLimitResult[] = [];
    for (const match of matches)
      for (const rule of match.counted) {
        const limit = rule.rateLimit!;
        const result = await deps.limiter.take(
          `rule:${rule.ruleId}`,
          limit.limit,
          rateLimitWindowMs[limit.window],
          at,
        );
        results.push(result);
        if (!result.allowed)
          exceeded.set(rule.ruleId, Math.max(1, Math.ceil((result.resetAt - at) / 1000)));
      }
    return { exceeded, results };
  };

  const countProxyLimits = async (route: ProxyRoute, at: number) => {
    const results: RateLimitResult[] = [];
    const { perMinute, perDay } = route.limits ?? {};
    if (perMinute)
      results.push(
        await deps.limiter.take(`proxy:${route.proxyId}`, perMinute, rateLimitWindowMs.minute, at),
      );
    if (perDay && results.every((result) => result.allowed))
      results.push(
        await deps.limiter.take(`proxy:${route.proxyId}`, perDay, rateLimitWindowMs.day, at),
      );
    return results;
  };

  const evaluate = async (
    route: ProxyRoute,
    matches: ScopeMatch[],
    at: number,
  ): Promise<AuthorizeDecision> => {
    const { exceeded, results } = await countRules(matches, at);
    const decision = decide(matches, exceeded);
    if (!decision.allowed) {
      const shown =
        decision.status === 429 ? mostRestrictive(results.filter((r) => !r.allowed)) : null;
      return {
        allowed: false,
        scope: decision.scope,
        ruleId: decision.ruleId,
        status: decision.status,
        retryAfterSeconds: decision.retryAfterSeconds,
        headers: shown ? rateLimitHeaders(shown, at) : undefined,
      };
    }

    const limits = await countProxyLimits(route, at);
    const shown = mostRestrictive([...results, ...limits]);
    const headers = shown ? rateLimitHeaders(shown, at) : undefined;
    const refused = limits.find((result) => !result.allowed);
    if (refused)
      return {
        allowed: false,
        scope: "proxyLimit",
        ruleId: null,
        status: 429,
        retryAfterSeconds: Math.max(1, Math.ceil((refused.resetAt - at) / 1000)),
        headers,
      };
    return headers ? { allowed: true, headers } : ALLOWED;
  };

  return (route: ProxyRoute, request: CanonicalRequest) => {
    if (needsNoCheck(route)) return ALLOWED;
    const matches = matchScopes(route.scopes ?? [], toRuleRequest(request));
    const counts =
      matches.some((match) => match.counted.length > 0) ||
      Boolean(route.limits?.perMinute || route.limits?.perDay);
    if (!counts) {
      const decision = decide(matches, NOTHING_EXCEEDED);
      return decision.allowed
        ? ALLOWED
        : {
            allowed: false,
            scope: decision.scope,
            ruleId: decision.ruleId,
            status: decision.status,
          };
    }
    return evaluate(route, matches, now());
  };
};
