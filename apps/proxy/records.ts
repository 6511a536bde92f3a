/**
 * The request records of the proxy's outcomes (spec §6), built in one
 * place for the synchronous and the queued API alike.
 */
import type { RequestRecord } from "../../core/domain/events.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";

/** What every record of one request shares. */
export type Outcome = {
  route: ProxyRoute;
  requestId: string;
  method: string;
  startedAt: number;
  requestBytes: number;
};

export function recordBase(outcome: Outcome, path: string, query: string | null) {
  return {
    requestId: outcome.requestId,
    clientId: outcome.route.clientId,
    proxyId: outcome.route.proxyId,
    method: outcome.method,
    path,
    query: query ?? "",
    timestamp: isoTimestamp(outcome.startedAt),
    requestBytes: outcome.requestBytes,
  };
}

/** The record of a request the upstream answered (spec §4 step 8). */
export function answered(
  outcome: Outcome,
  path: string,
  query: string | null,
  responseStatus: number,
  duration: number,
  responseBytes: number,
): RequestRecord {
  const { route } = outcome;
  return {
    requestId: outcome.requestId,
    clientId: route.clientId,
    proxyId: route.proxyId,
    method: outcome.method,
    path,
    query: query ?? "",
    timestamp: isoTimestamp(outcome.startedAt),
    requestBytes: outcome.requestBytes,
    status: responseStatus >= 500 ? "failed" : "completed",
    responseStatus,
    duration,
    code: "proxy-access-granted",
    targetCredentialId: route.targetCredentialId,
    targetCredentialVersion: route.targetCredentialVersion,
    responseBytes,
  };
}

// Requests arrive many to a millisecond: the last one's timestamp is kept.
let lastMs = Number.NaN;
let lastIso = "";

/** `new Date(ms).toISOString()`, formatted once per millisecond. */
export function isoTimestamp(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

export function denied(
  outcome: Outcome,
  path: string,
  query: string | null,
  code: string,
  ruleId: string | null = null,
): RequestRecord {
  return {
    ...recordBase(outcome, path, query),
    ...(ruleId !== null && { ruleId }),
    status: "denied",
    responseStatus: null,
    duration: 0,
    code,
    targetCredentialId: null,
    targetCredentialVersion: null,
    responseBytes: 0,
  };
}

export function failed(
  outcome: Outcome,
  path: string,
  query: string | null,
  code: string,
  duration: number,
): RequestRecord {
  return {
    ...recordBase(outcome, path, query),
    status: "failed",
    responseStatus: null,
    duration,
    code,
    targetCredentialId: outcome.route.targetCredentialId,
    targetCredentialVersion: outcome.route.targetCredentialVersion,
    responseBytes: 0,
  };
}

/**
 * The declared `Content-Length`; 0 when the body is chunked or absent. The
 * field sent more than once with the same value arrives as a list, which
 * RFC 9112 §6.3 lets a recipient read as that one value (the server
 * refuses differing ones).
 */
export function declaredLength(headers: Headers): number {
  const value = headers.get("content-length");
  if (value === null) return 0;
  const comma = value.indexOf(",");
  const length = Number(comma < 0 ? value : value.slice(0, comma));
  if (comma >= 0 && value.split(",").some((item) => Number(item) !== length)) return 0;
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}
