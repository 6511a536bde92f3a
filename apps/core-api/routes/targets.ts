/** Targets: the third-party APIs proxies forward to (spec §2 "Target"). */
import { Elysia } from "elysia";
import { retryPolicySchema } from "../../../core/async/retryPolicy.ts";
import * as z from "zod";
import { streams } from "../../../core/domain/events.ts";
import {
  baseURLSchema,
  DEFAULT_TIMEOUT_MS,
  effectSchema,
  nameSchema,
  regionSchema,
  testPathSchema,
  timeoutMsSchema,
} from "../../../core/domain/fields.ts";
import { targetDecider } from "../../../core/domain/targets/decider.ts";
import { proxiesUsing, type TargetView } from "../../../core/projections/configView.ts";
import { newId } from "../../runtime/ids.ts";
import { clientOf, ownedBy } from "../auth.ts";
import { callerOf, created, noContent, type CoreApiDeps } from "../context.ts";
import { changeBy } from "../execute.ts";
import { parseWith, readJsonObject, unprefix } from "../input.ts";

const targetFields = [
  "targetName",
  "baseURL",
  "testPath",
  "region",
  "defaultEffect",
  "timeoutMs",
  "retryPolicy",
] as const;

export const createTargetInput = z.object({
  targetName: nameSchema,
  baseURL: baseURLSchema,
  testPath: testPathSchema.default(null),
  region: regionSchema.default(null),
  defaultEffect: effectSchema.default("allow"),
  timeoutMs: timeoutMsSchema.default(DEFAULT_TIMEOUT_MS),
  retryPolicy: retryPolicySchema.default(null),
});

export const updateTargetInput = z.object({
  targetName: nameSchema.optional(),
  baseURL: baseURLSchema.optional(),
  testPath: testPathSchema.optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
  timeoutMs: timeoutMsSchema.optional(),
  retryPolicy: retryPolicySchema.optional(),
});

/** `baseURL` is also accepted in the spellings `baseUrl` and `url`. */
const readTargetBody = async (request: Request) => {
  const body = await readJsonObject(request);
  if (body.baseURL === undefined && body.targetBaseURL === undefined) {
    if (body.baseUrl !== undefined) body.baseURL = body.baseUrl;
    else if (body.targetBaseUrl !== undefined) body.baseURL = body.targetBaseUrl;
  }
  return unprefix(body, "target", targetFields);
};

export const presentTarget = (target: TargetView) => ({
  targetId: target.targetId,
  clientId: target.clientId,
  targetName: target.targetName,
  baseURL: target.baseURL,
  testPath: target.testPath,
  region: target.region,
  defaultEffect: target.defaultEffect,
  timeoutMs: target.timeoutMs,
  retryPolicy: target.retryPolicy ?? null,
  createdAt: target.createdAt,
  updatedAt: target.updatedAt,
});

export const targetRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients/:clientId/targets", ({ request, params, query }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      const name = typeof query.targetName === "string" ? query.targetName : undefined;
      return [...deps.live.view.targets.values()]
        .filter((target) => target.clientId === client.clientId)
        .filter((target) => name === undefined || target.targetName === name)
        .map(presentTarget);
    })
    .post(
      "/clients/:clientId/targets",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const input = parseWith(createTargetInput, await readTargetBody(request));
        const targetId = newId("target");
        await run(streams.target(targetId), targetDecider, {
          type: "CreateTarget",
          targetId,
          clientId: client.clientId,
          ...input,
          at,
        });
        return created(presentTarget(deps.live.view.targets.get(targetId)!));
      },
      { parse: "none" },
    )
    .get("/clients/:clientId/targets/:targetId", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return presentTarget(
        ownedBy(deps.live.view.targets, params.targetId, client.clientId, "target"),
      );
    })
    .put(
      "/clients/:clientId/targets/:targetId",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const target = ownedBy(deps.live.view.targets, params.targetId, client.clientId, "target");
        const changes = parseWith(updateTargetInput, await readTargetBody(request));
        await run(streams.target(target.targetId), targetDecider, {
          type: "UpdateTarget",
          targetId: target.targetId,
          clientId: client.clientId,
          changes,
          at,
        });
        return presentTarget(deps.live.view.targets.get(target.targetId)!);
      },
      { parse: "none" },
    )
    .delete("/clients/:clientId/targets/:targetId", async ({ request, params }) => {
      const { client, at, run } = changeBy(deps, request, params.clientId);
      const target = ownedBy(deps.live.view.targets, params.targetId, client.clientId, "target");
      await run(streams.target(target.targetId), targetDecider, {
        type: "DeleteTarget",
        targetId: target.targetId,
        clientId: client.clientId,
        usedByProxyIds: proxiesUsing(deps.live.view, target.targetId),
        at,
      });
      return noContent();
    });
