/**
 * Proxies: a proxy credential, a target and a target credential joined under
 * one id, served at `baseURL` (spec §2 "Proxy").
 */
import { Elysia } from "elysia";
import * as z from "zod";
import { streams } from "../../../core/domain/events.ts";
import {
  effectSchema,
  nameSchema,
  regionSchema,
  requestLimitSchema,
} from "../../../core/domain/fields.ts";
import type { CredentialFacts, TargetFacts } from "../../../core/domain/proxies/commands.ts";
import { proxyDecider } from "../../../core/domain/proxies/decider.ts";
import type { ConfigView, ProxyView } from "../../../core/projections/configView.ts";
import { newId } from "../../runtime/ids.ts";
import { clientOf, ownedBy } from "../auth.ts";
import { callerOf, created, noContent, type CoreApiDeps } from "../context.ts";
import { changeBy } from "../execute.ts";
import { parseWith, readJsonObject, unprefix } from "../input.ts";

const proxyFields = [
  "proxyName",
  "proxyCredentialId",
  "targetId",
  "targetCredentialId",
  "active",
  "region",
  "defaultEffect",
  "maxRequestsPerMinute",
  "maxRequestsPerDay",
] as const;

const reference = z.string({ error: "must be a string" }).min(1, { error: "is required" });

export const createProxyInput = z.object({
  proxyName: nameSchema,
  proxyCredentialId: reference,
  targetId: reference,
  targetCredentialId: reference,
  active: z.boolean({ error: "must be a boolean" }).default(true),
  region: regionSchema.default(null),
  defaultEffect: effectSchema.default("allow"),
  maxRequestsPerMinute: requestLimitSchema.default(null),
  maxRequestsPerDay: requestLimitSchema.default(null),
});

export const updateProxyInput = z.object({
  proxyName: nameSchema.optional(),
  proxyCredentialId: reference.optional(),
  targetId: reference.optional(),
  targetCredentialId: reference.optional(),
  active: z.boolean({ error: "must be a boolean" }).optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
  maxRequestsPerMinute: requestLimitSchema.optional(),
  maxRequestsPerDay: requestLimitSchema.optional(),
});

/** What the decider needs to know of the referenced credentials and target. */
const credentialFacts = (view: ConfigView, id: string): CredentialFacts | null => {
  const credential = view.credentials.get(id);
  return credential
    ? { clientId: credential.clientId, credentialType: credential.credentialType, status: "active" }
    : null;
};

const targetFacts = (view: ConfigView, id: string): TargetFacts | null => {
  const target = view.targets.get(id);
  return target ? { clientId: target.clientId, status: "active" } : null;
};

const referencesOf = (
  view: ConfigView,
  ids: { proxyCredentialId: string; targetId: string; targetCredentialId: string },
) => ({
  proxyCredential: credentialFacts(view, ids.proxyCredentialId),
  target: targetFacts(view, ids.targetId),
  targetCredential: credentialFacts(view, ids.targetCredentialId),
});

const changedReferencesOf = (
  view: ConfigView,
  ids: { proxyCredentialId?: string; targetId?: string; targetCredentialId?: string },
) => ({
  ...(ids.proxyCredentialId !== undefined && {
    proxyCredential: credentialFacts(view, ids.proxyCredentialId),
  }),
  ...(ids.targetId !== undefined && { target: targetFacts(view, ids.targetId) }),
  ...(ids.targetCredentialId !== undefined && {
    targetCredential: credentialFacts(view, ids.targetCredentialId),
  }),
});

export const proxyUrls = (deps: CoreApiDeps, proxy: Pick<ProxyView, "proxyId" | "region">) => {
  const base =
    (proxy.region && deps.config.regionProxyUrls.get(proxy.region)) || deps.config.publicProxyUrl;
  return { baseURL: `${base}/api/${proxy.proxyId}`, asyncURL: `${base}/async/${proxy.proxyId}` };
};

export const presentProxy = (deps: CoreApiDeps, proxy: ProxyView) => ({
  proxyId: proxy.proxyId,
  clientId: proxy.clientId,
  proxyName: proxy.proxyName,
  proxyCredentialId: proxy.proxyCredentialId,
  targetId: proxy.targetId,
  targetCredentialId: proxy.targetCredentialId,
  active: proxy.active,
  region: proxy.region,
  defaultEffect: proxy.defaultEffect,
  maxRequestsPerMinute: proxy.maxRequestsPerMinute,
  maxRequestsPerDay: proxy.maxRequestsPerDay,
  ...proxyUrls(deps, proxy),
  createdAt: proxy.createdAt,
  updatedAt: proxy.updatedAt,
});

const readProxyBody = async (request: Request) =>
  unprefix(await readJsonObject(request), "proxy", proxyFields);

export const proxyRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients/:clientId/proxies", ({ request, params, query }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      const name = typeof query.proxyName === "string" ? query.proxyName : undefined;
      return [...deps.live.view.proxies.values()]
        .filter((proxy) => proxy.clientId === client.clientId)
        .filter((proxy) => name === undefined || proxy.proxyName === name)
        .map((proxy) => presentProxy(deps, proxy));
    })
    .post(
      "/clients/:clientId/proxies",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const input = parseWith(createProxyInput, await readProxyBody(request));
        const proxyId = newId("proxy");
        await run(streams.proxy(proxyId), proxyDecider, {
          type: "CreateProxy",
          proxyId,
          clientId: client.clientId,
          ...input,
          ...referencesOf(deps.live.view, input),
          at,
        });
        return created(presentProxy(deps, deps.live.view.proxies.get(proxyId)!));
      },
      { parse: "none" },
    )
    .get("/clients/:clientId/proxies/:proxyId", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return presentProxy(
        deps,
        ownedBy(deps.live.view.proxies, params.proxyId, client.clientId, "proxy"),
      );
    })
    .put(
      "/clients/:clientId/proxies/:proxyId",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const proxy = ownedBy(deps.live.view.proxies, params.proxyId, client.clientId, "proxy");
        const changes = parseWith(updateProxyInput, await readProxyBody(request));
        await run(streams.proxy(proxy.proxyId), proxyDecider, {
          type: "UpdateProxy",
          proxyId: proxy.proxyId,
          clientId: client.clientId,
          changes,
          ...changedReferencesOf(deps.live.view, changes),
          at,
        });
        return presentProxy(deps, deps.live.view.proxies.get(proxy.proxyId)!);
      },
      { parse: "none" },
    )
    .delete("/clients/:clientId/proxies/:proxyId", async ({ request, params }) => {
      const { client, at, run } = changeBy(deps, request, params.clientId);
      const proxy = ownedBy(deps.live.view.proxies, params.proxyId, client.clientId, "proxy");
      await run(streams.proxy(proxy.proxyId), proxyDecider, {
        type: "DeleteProxy",
        proxyId: proxy.proxyId,
        clientId: client.clientId,
        at,
      });
      return noContent();
    });
