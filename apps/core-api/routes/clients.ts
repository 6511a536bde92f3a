/** Clients and their members (spec §2 "Client", §3 members). */
import { Elysia } from "elysia";
import * as z from "zod";
import { clientDecider } from "../../../core/domain/clients/decider.ts";
import { streams } from "../../../core/domain/events.ts";
import { nameSchema, roleSchema } from "../../../core/domain/fields.ts";
import type { ClientView, ConfigView } from "../../../core/projections/configView.ts";
import { newId } from "../../runtime/ids.ts";
import { clientOf, requireRole } from "../auth.ts";
import {
  callerOf,
  created,
  metadataOf,
  noContent,
  nowIso,
  writerOf,
  type CoreApiDeps,
} from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { changeBy, execute } from "../execute.ts";
import { parseWith, readJsonObject, unprefix } from "../input.ts";

const createInput = z.object({ clientName: nameSchema });
const updateInput = z.object({ clientName: nameSchema.optional() });
const memberInput = z.object({
  userId: z.string({ error: "must be a string" }).min(1),
  role: roleSchema.default("member"),
});

export const presentClient = (client: ClientView) => ({
  clientId: client.clientId,
  clientName: client.clientName,
  createdAt: client.createdAt,
  updatedAt: client.updatedAt,
});

const presentMembers = (view: ConfigView, client: ClientView) =>
  [...client.members].map(([userId, role]) => ({
    userId,
    userName: view.users.get(userId)?.userName ?? null,
    role,
  }));

const clientFields = ["clientName"] as const;

export const clientRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients", ({ request, query }) => {
      const caller = callerOf(deps, request);
      const name = typeof query.clientName === "string" ? query.clientName : undefined;
      return [...deps.live.view.clients.values()]
        .filter((client) => client.members.has(caller.user.userId))
        .filter((client) => name === undefined || client.clientName === name)
        .map(presentClient);
    })
    .post(
      "/clients",
      async ({ request }) => {
        const caller = writerOf(deps, request);
        const input = parseWith(
          createInput,
          unprefix(await readJsonObject(request), "client", clientFields),
        );
        const clientId = newId("client");
        await execute(
          deps,
          streams.client(clientId),
          clientDecider,
          {
            type: "CreateClient",
            clientId,
            ...input,
            createdBy: caller.user.userId,
            at: nowIso(deps),
          },
          metadataOf(caller),
        );
        return created(presentClient(deps.live.view.clients.get(clientId)!));
      },
      { parse: "none" },
    )
    .get("/clients/:clientId", ({ request, params }) =>
      presentClient(clientOf(deps.live.view, callerOf(deps, request), params.clientId)),
    )
    .put(
      "/clients/:clientId",
      async ({ request, params }) => {
        const { caller, client, at, run } = changeBy(deps, request, params.clientId);
        requireRole(client, caller, ["owner", "admin"]);
        const input = parseWith(
          updateInput,
          unprefix(await readJsonObject(request), "client", clientFields),
        );
        if (input.clientName !== undefined)
          await run(streams.client(client.clientId), clientDecider, {
            type: "RenameClient",
            clientId: client.clientId,
            clientName: input.clientName,
            at,
          });
        return presentClient(deps.live.view.clients.get(client.clientId)!);
      },
      { parse: "none" },
    )
    .delete("/clients/:clientId", async ({ request, params }) => {
      const { caller, client, at, run } = changeBy(deps, request, params.clientId);
      requireRole(client, caller, ["owner"]);
      await run(streams.client(client.clientId), clientDecider, {
        type: "DeleteClient",
        clientId: client.clientId,
        at,
      });
      // Crypto-shredding (spec §2): the events stay, their secrets become
      // unreadable.
      await deps.secrets.destroyClientKey(client.clientId);
      return noContent();
    })
    .get("/clients/:clientId/members", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return presentMembers(deps.live.view, client);
    })
    .post(
      "/clients/:clientId/members",
      async ({ request, params }) => {
        const { caller, client, at, run } = changeBy(deps, request, params.clientId);
        requireRole(client, caller, ["owner", "admin"]);
        const input = parseWith(memberInput, await readJsonObject(request));
        if (!deps.live.view.users.has(input.userId))
          throw new ApiError(422, "user_not_found", "no such user", { field: "userId" });
        if (input.role === "owner") requireRole(client, caller, ["owner"]);
        await run(streams.client(client.clientId), clientDecider, {
          type: "AddMember",
          clientId: client.clientId,
          ...input,
          at,
        });
        return created(
          presentMembers(deps.live.view, client).find((m) => m.userId === input.userId),
        );
      },
      { parse: "none" },
    )
    .delete("/clients/:clientId/members/:userId", async ({ request, params }) => {
      const { caller, client, at, run } = changeBy(deps, request, params.clientId);
      if (params.userId !== caller.user.userId) requireRole(client, caller, ["owner", "admin"]);
      if (!client.members.has(params.userId)) throw notFound("member");
      await run(streams.client(client.clientId), clientDecider, {
        type: "RemoveMember",
        clientId: client.clientId,
        userId: params.userId,
        at,
      });
      return noContent();
    });
