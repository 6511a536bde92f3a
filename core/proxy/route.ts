/**
 * What the proxy needs to serve one proxy id, already resolved and decrypted:
 * the in-memory proxy table maps proxy ids to these. Built by the proxy table
 * projection from credential, target and proxy events; never read from the
 * database on the request path.
 */

import type { RetryPolicySettings } from "../async/retryPolicy.ts";
import type { ScopeRules } from "../rules/evaluate.ts";

/** A keyed hash the caller's secret must match, possibly only for a while. */
export type AcceptedHash = {
  hash: string;
  /** Epoch milliseconds after which the hash no longer opens; null: never. */
  validUntil: number | null;
};

/** How a caller proves who it is (the proxy credential). */
export type CallerAuth =
  | { authType: "apiKey"; keyName: string; accepted: AcceptedHash[] }
  | { authType: "bearer"; prefix: string; accepted: AcceptedHash[] }
  | { authType: "basicAuth"; username: string; accepted: AcceptedHash[] };

/** Header and query parameters injected upstream (the target credential). */
export type Injection = {
  headers: [name: string, value: string][];
  query: [name: string, value: string][];
};

/** The proxy's own request limits (spec §2 Proxy); null: none. */
export type ProxyLimits = { perMinute: number | null; perDay: number | null };

export type ProxyRoute = {
  proxyId: string;
  clientId: string;
  active: boolean;
  caller: CallerAuth;
  /** Absolute http(s) URL, possibly with a path prefix, no trailing slash. */
  targetBaseURL: string;
  timeoutMs: number;
  inject: Injection;
  targetCredentialId: string;
  targetCredentialVersion: number;
  /** Compiled rules of the four scopes, in evaluation order; absent: allow all. */
  scopes?: ScopeRules[];
  limits?: ProxyLimits;
  /** The target's overrides of the queued delivery's retry policy; null: the defaults. */
  retryPolicy?: RetryPolicySettings;
};

export interface ProxyTable {
  get(proxyId: string): ProxyRoute | undefined;
}
