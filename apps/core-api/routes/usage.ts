/**
 * Usage (spec §3 "Usage"): the client's requests counted by status, with the
 * average and percentiles of their duration, in total, per proxy and per
 * hour or day (UTC). The same proxy and date filters as the request log.
 */
import { Elysia } from "elysia";
import type { UsageGrouping } from "../../../adapters/requestLog/index.ts";
import { clientOf } from "../auth.ts";
import { callerOf, type CoreApiDeps } from "../context.ts";
import { QueryReader, requestLogOf, requireProxyOf } from "./requests.ts";

const groupings: readonly UsageGrouping[] = ["hour", "day"];

export const usageRoutes = (deps: CoreApiDeps) =>
  new Elysia().get("/clients/:clientId/usage", async ({ request, params }) => {
    const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
    const reader = new QueryReader(request);
    const proxyId = reader.text("proxyId");
    const bounds = reader.bounds();
    const groupBy = reader.oneOf("groupBy", groupings) ?? "day";
    reader.done();
    if (proxyId !== undefined) await requireProxyOf(deps, client.clientId, proxyId);

    const report = await requestLogOf(deps).usage(
      { clientId: client.clientId, proxyId, bounds },
      groupBy,
    );
    return { groupBy, ...report };
  });
