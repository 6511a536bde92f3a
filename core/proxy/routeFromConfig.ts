/**
 * Turns the configuration view into what the proxy serves: how a caller
 * proves itself and what is injected upstream. Decryption happens outside
 * (the sealed target secret arrives opened); this file only decides shapes.
 */
import type { CredentialView, ProxyView, TargetView } from "../projections/configView.ts";
import { compileRule, type CompiledRule } from "../rules/compileRule.ts";
import type { ScopeRules } from "../rules/evaluate.ts";
import type { Rule } from "../rules/rule.ts";
import type { AcceptedHash, CallerAuth, Injection, ProxyRoute } from "./route.ts";

const DEFAULT_KEY_NAME = "X-API-Key";

/** Which hashed field opens each proxy-side auth type. */
const comparedField = { apiKey: "keyValue", bearer: "token", basicAuth: "password" } as const;

export const callerAuthFor = (credential: CredentialView): CallerAuth | undefined => {
  const { authType, secret, previous } = credential;
  if (authType !== "apiKey" && authType !== "bearer" && authType !== "basicAuth") return undefined;

  const field = comparedField[authType];
  const accepted: AcceptedHash[] = [];
  const current = secret.hashes?.[field];
  if (current) accepted.push({ hash: current, validUntil: null });
  const old = previous?.secret.hashes?.[field];
  if (old && previous) accepted.push({ hash: old, validUntil: Date.parse(previous.validUntil) });

  switch (authType) {
    case "apiKey":
      return { authType, keyName: stringOr(secret.public.keyName, DEFAULT_KEY_NAME), accepted };
    case "bearer":
      return { authType, prefix: stringOr(secret.public.prefix, "Bearer"), accepted };
    case "basicAuth":
      return { authType, username: stringOr(secret.public.username, ""), accepted };
  }
};

/**
 * The headers and query parameters a target credential adds upstream.
 * `opened` is the decrypted sealed document (the secret values).
 */
export const injectionFor = (
  credential: CredentialView,
  opened: Record<string, unknown>,
): Injection => {
  const fields = { ...credential.secret.public, ...opened };
  const headers: [string, string][] = [];
  const query: [string, string][] = [];

  switch (credential.authType) {
    case "apiKey": {
      const name = stringOr(fields.keyName, DEFAULT_KEY_NAME);
      (fields.in === "query" ? query : headers).push([name, stringOr(fields.keyValue, "")]);
      break;
    }
    case "bearer":
      headers.push([
        "Authorization",
        `${stringOr(fields.prefix, "Bearer")} ${stringOr(fields.token, "")}`,
      ]);
      break;
    case "basicAuth":
      headers.push([
        "Authorization",
        `Basic ${base64Utf8(`${stringOr(fields.username, "")}:${stringOr(fields.password, "")}`)}`,
      ]);
      break;
    case "oauth2":
      headers.push(["Authorization", `Bearer ${stringOr(fields.accessToken, "")}`]);
      break;
    case "custom":
      for (const [name, value] of Object.entries(asStringMap(fields.headers)))
        headers.push([name, value]);
      for (const [name, value] of Object.entries(asStringMap(fields.query)))
        query.push([name, value]);
      break;
    case "none":
    case "jwtVerify":
      break;
    default: {
      const unreachable: never = credential.authType;
      void unreachable;
    }
  }
  return { headers, query };
};

/** Compiles a rule, or answers the copy compiled before if it has not changed. */
export type RuleCompiler = (rule: Rule) => CompiledRule;

/**
 * The four scopes of spec §4 step 4, in evaluation order, each with its
 * rules compiled (once: `compile` may cache by id and version).
 */
export const scopesFor = (
  proxy: ProxyView,
  target: TargetView,
  proxyCredential: CredentialView,
  targetCredential: CredentialView,
  compile: RuleCompiler = compileRule,
): ScopeRules[] => [
  {
    scope: "proxyCredential",
    defaultEffect: proxyCredential.defaultEffect,
    rules: proxyCredential.rules.map(compile),
  },
  {
    scope: "targetCredential",
    defaultEffect: targetCredential.defaultEffect,
    rules: targetCredential.rules.map(compile),
  },
  { scope: "proxy", defaultEffect: proxy.defaultEffect, rules: proxy.rules.map(compile) },
  { scope: "target", defaultEffect: target.defaultEffect, rules: target.rules.map(compile) },
];

export const routeFor = (
  proxy: ProxyView,
  target: TargetView,
  proxyCredential: CredentialView,
  targetCredential: CredentialView,
  opened: Record<string, unknown>,
  compile: RuleCompiler = compileRule,
): ProxyRoute | undefined => {
  const caller = callerAuthFor(proxyCredential);
  if (!caller) return undefined;
  return {
    proxyId: proxy.proxyId,
    clientId: proxy.clientId,
    active: proxy.active,
    caller,
    targetBaseURL: target.baseURL.replace(/\/+$/, ""),
    timeoutMs: target.timeoutMs,
    inject: injectionFor(targetCredential, opened),
    targetCredentialId: targetCredential.credentialId,
    targetCredentialVersion: targetCredential.secretVersion,
    scopes: scopesFor(proxy, target, proxyCredential, targetCredential, compile),
    limits: { perMinute: proxy.maxRequestsPerMinute, perDay: proxy.maxRequestsPerDay },
    retryPolicy: target.retryPolicy ?? null,
  };
};

const stringOr = (value: unknown, fallback: string): string =>
  typeof value === "string" && value !== "" ? value : fallback;

const asStringMap = (value: unknown): Record<string, string> => {
  if (!value || typeof value !== "object") return {};
  const map: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) if (typeof item === "string") map[name] = item;
  return map;
};

const base64Utf8 = (text: string): string => {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
};
