import type { ProxyRoute } from "./route.ts";

/** What rules see (spec §4 step 4): the request as it will be forwarded, before injection. */
export type CanonicalRequest = {
  /** Upper-case, as sent. */
  method: string;
  /** The canonical path, exactly what the upstream receives. */
  path: string;
  /** Raw query without the caller's credential parameters; `null`: no query. */
  query: string | null;
  /**
   * The caller's headers without its credential and without hop-by-hop
   * headers. Lent for the call only: the same object then becomes the
   * upstream request's headers (one copy per request, not two), so a rule
   * engine that keeps anything for later copies it.
   */
  headers: Headers;
};

/** The four rule scopes of spec §4 step 4, and the proxy's own request limits. */
export type RuleScope = "proxyCredential" | "targetCredential" | "proxy" | "target" | "proxyLimit";

export type AuthorizeDecision =
  | {
      allowed: true;
      /** Rate-limit header fields to add to the answer (RateLimit-*). */
      headers?: Record<string, string>;
    }
  | {
      allowed: false;
      /** Rate-limit header fields to add to the answer (Retry-After, RateLimit-*). */
      headers?: Record<string, string>;
      scope: RuleScope;
      /** The deciding rule, highest priority first; null when a default effect or a limit decided. */
      ruleId: string | null;
      status: 403 | 429;
      /** Seconds until a rate-limited caller may try again (429 only). */
      retryAfterSeconds?: number;
    };

/**
 * Synchronous when nothing needs counting, so that the common request never
 * waits for a promise; a request that counts toward a rate limit answers a
 * promise (the limiter may have to lease quota from Postgres).
 */
export type Authorize = (
  route: ProxyRoute,
  request: CanonicalRequest,
) => AuthorizeDecision | Promise<AuthorizeDecision>;

const ALLOWED: AuthorizeDecision = { allowed: true };

/** The decision while no rule engine is plugged in: every request passes. */
export const allowAll: Authorize = () => ALLOWED;
