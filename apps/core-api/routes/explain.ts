/**
 * `POST /clients/{c}/proxies/{p}/explain`: what the proxy would do with a
 * sample request, without calling the upstream or counting toward any
 * limit. It runs the proxy's own steps (canonical path, caller credential
 * removed, rules of the four scopes against the live proxy table), so its
 * decision is the proxy's.
 */
import { Elysia } from "elysia";
import * as z from "zod";
import { maskSecret } from "../../../core/domain/credentials/maskSecret.ts";
import { canonicalPath } from "../../../core/proxy/canonicalPath.ts";
import { injectParams, takeCallerParams } from "../../../core/proxy/queryParams.ts";
import { callerHeaders } from "../../../core/proxy/requestHeaders.ts";
import { decide, matchScopes, toRuleRequest } from "../../../core/rules/index.ts";
import { routePlan } from "../../proxy/routePlan.ts";
import { clientOf, ownedBy } from "../auth.ts";
import { callerOf, type CoreApiDeps } from "../context.ts";
import { ApiError } from "../errors.ts";
import { parseWith, readJsonObject } from "../input.ts";

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const explainInput = z.object({
  method: z
    .string({ error: "must be a string" })
    .regex(TOKEN, { error: "must be an HTTP method" })
    .max(20),
  path: z
    .string({ error: "must be a string" })
    .max(8192, { error: "must be at most 8192 characters" })
    .default("/"),
  headers: z
    .union([z.record(z.string(), z.string()), z.array(z.tuple([z.string(), z.string()]))], {
      error: "must be an object of names to values, or a list of [name, value]",
    })
    .default({}),
  query: z
    .union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))], {
      error: "must be a query string or an object of names to values",
    })
    .optional(),
});

const queryString = (query: z.output<typeof explainInput>["query"]): string | null => {
  if (query === undefined) return null;
  if (typeof query === "string") return query.startsWith("?") ? query.slice(1) : query;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  return params.toString();
};

const headersOf = (headers: z.output<typeof explainInput>["headers"]): Headers => {
  try {
    return new Headers(Array.isArray(headers) ? headers : Object.entries(headers));
  } catch {
    throw new ApiError(400, "invalid_input", "a header name or value is not valid HTTP", {
      field: "headers",
    });
  }
};

export const explainRoutes = (deps: CoreApiDeps) =>
  new Elysia().post(
    "/clients/:clientId/proxies/:proxyId/explain",
    async ({ request, params }) => {
      const caller = callerOf(deps, request);
      const client = clientOf(deps.live.view, caller, params.clientId);
      const proxy = ownedBy(deps.live.view.proxies, params.proxyId, client.clientId, "proxy");
      const input = parseWith(explainInput, await readJsonObject(request));
      const route = deps.live.table.get(proxy.proxyId);
      if (!route)
        throw new ApiError(
          422,
          "proxy_not_servable",
          "the proxy cannot serve: one of its credentials or its target cannot be used",
        );

      const method = input.method;
      // A query written into `path` is the request's query, as on the wire.
      const mark = input.path.indexOf("?");
      if (mark >= 0 && input.query !== undefined)
        throw new ApiError(400, "invalid_input", "give the query in path or in query, not both", {
          field: "query",
        });
      const query = mark >= 0 ? input.path.slice(mark + 1) : input.query;
      // Bun's server reads a raw backslash as a slash before the proxy sees
      // the path; explain reads the sample the same way.
      const written = (mark >= 0 ? input.path.slice(0, mark) : input.path).replaceAll("\\", "/");
      const prefix = `/api/${proxy.proxyId}`;
      const rest = written.startsWith(prefix) ? written.slice(prefix.length) : written;
      const canonical = canonicalPath(rest === "" || rest.startsWith("/") ? rest : `/${rest}`);
      if (canonical.isErr())
        return {
          canonicalPath: null,
          decision: {
            allowed: false,
            status: 400,
            code: "invalid_path",
            reason: canonical.error.reason,
          },
          scopes: [],
        };

      const plan = routePlan(route);
      const callerQuery = takeCallerParams(queryString(query), plan.callerParams);
      const headers = callerHeaders(headersOf(input.headers), plan.callerHeader);
      const matches = matchScopes(
        route.scopes ?? [],
        toRuleRequest({ method, path: canonical.value, query: callerQuery.forwarded, headers }),
      );
      const decision = decide(matches, new Map());
      const upstreamQuery = injectParams(callerQuery.forwarded, route.inject.query, true);
      const credential = deps.live.view.credentials.get(route.targetCredentialId);

      return {
        canonicalPath: canonical.value,
        decision: decision.allowed
          ? { allowed: true, status: null }
          : {
              allowed: false,
              status: decision.status,
              scope: decision.scope,
              ruleId: decision.ruleId,
            },
        scopes: decision.scopes,
        limits: {
          rules: matches.flatMap((match) =>
            match.counted.map((rule) => ({
              scope: match.scope,
              ruleId: rule.ruleId,
              ...rule.rateLimit!,
            })),
          ),
          maxRequestsPerMinute: proxy.maxRequestsPerMinute,
          maxRequestsPerDay: proxy.maxRequestsPerDay,
          note: "explain counts toward no limit; a rate-limited rule here is shown as not exceeded",
        },
        upstream: {
          method,
          url:
            upstreamQuery === null
              ? plan.base + canonical.value
              : `${plan.base}${canonical.value}?${upstreamQuery}`,
        },
        targetCredential: credential && {
          credentialId: credential.credentialId,
          authType: credential.authType,
          secretVersion: credential.secretVersion,
          secret: { ...maskSecret(credential.secret), fingerprint: credential.secret.fingerprint },
          injects: {
            headers: route.inject.headers.map(([name]) => name),
            query: route.inject.query.map(([name]) => name),
          },
        },
      };
    },
    { parse: "none" },
  );
