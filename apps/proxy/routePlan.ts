import type { ProxyRoute } from "../../core/proxy/route.ts";

/** What the forward path derives from a route, worked out once per route object. */
export type RoutePlan = {
  /** Lower-case query parameter names that carry the caller's credential. */
  callerParams: string[];
  /** Lower-case header named by an `apiKey` caller's `keyName`; null for other types. */
  callerHeader: string | null;
  /** Lower-case names of the headers the target credential injects. */
  injectedHeaders: Set<string>;
  /** `targetBaseURL` without a trailing slash: origin plus optional path prefix. */
  base: string;
  /** Scheme, host and port only, for logs. */
  origin: string;
  /** The parts the plan was made from, to notice a route changed in place. */
  from: Pick<ProxyRoute, "caller" | "inject" | "targetBaseURL">;
};

// Keyed by the route object, and checked against the parts it was made from,
// so a plan never outlives a change whether the table replaces a route or
// swaps one of its parts.
const plans = new WeakMap<ProxyRoute, RoutePlan>();

export function routePlan(route: ProxyRoute): RoutePlan {
  const known = plans.get(route);
  if (
    known !== undefined &&
    known.from.caller === route.caller &&
    known.from.inject === route.inject &&
    known.from.targetBaseURL === route.targetBaseURL
  ) {
    return known;
  }

  const callerHeader =
    route.caller.authType === "apiKey" ? route.caller.keyName.toLowerCase() : null;
  const base = route.targetBaseURL.replace(/\/+$/, "");
  const plan: RoutePlan = {
    callerParams: callerHeader === null ? ["authorization"] : ["authorization", callerHeader],
    callerHeader,
    injectedHeaders: new Set(route.inject.headers.map(([name]) => name.toLowerCase())),
    base,
    origin: originOf(base),
    from: { caller: route.caller, inject: route.inject, targetBaseURL: route.targetBaseURL },
  };
  plans.set(route, plan);
  return plan;
}

function originOf(base: string): string {
  const authority = base.indexOf("://") + 3;
  const slash = base.indexOf("/", authority);
  return slash < 0 ? base : base.slice(0, slash);
}
