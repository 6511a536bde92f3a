/**
 * Audit (spec §3 "Audit"): `GET …/{credentials|targets|proxies}/{id}/history`
 * lists every event of the resource and of its rules, with actor and time and
 * never a secret value; `?asOf=` answers the resource as it stood then, in the
 * same shape a read answered at that time.
 *
 * The stream is read from the store, not from the live view: the view drops a
 * deleted resource, and its history must stay readable. Which client owns the
 * stream is taken from its first event, so another client's id answers 404
 * exactly like a missing one.
 */
import { Elysia } from "elysia";
import { streams } from "../../../core/domain/events.ts";
import { timestampSchema } from "../../../core/domain/fields.ts";
import { restoreOffsetPlus } from "../../../core/domain/instants.ts";
import type { RecordedEvent } from "../../../core/eventStore/eventStore.ts";
import {
  clientIdOfStream,
  historyOf,
  resourceAsOf,
  type HistoryKind,
} from "../../../core/projections/history.ts";
import { clientOf } from "../auth.ts";
import { callerOf, type CoreApiDeps } from "../context.ts";
import { notFound } from "../errors.ts";
import { presentCredential } from "./credentials.ts";
import { presentProxy } from "./proxies.ts";
import { QueryReader } from "./requests.ts";
import { presentTarget } from "./targets.ts";

/**
 * The `asOf` parameter: an ISO-8601 timestamp with a time and a zone, read
 * as timestamps in bodies are (a real calendar day, within the years 0001
 * to 9999 UTC), or none.
 */
const readAsOf = (request: Request): Date | undefined => {
  const reader = new QueryReader(request);
  const given = reader.text("asOf");
  const text = given === undefined ? undefined : restoreOffsetPlus(given);
  const parsed = text === undefined ? undefined : timestampSchema.safeParse(text);
  if (parsed?.success === false)
    reader.errors.push({ field: "asOf", message: parsed.error.issues[0]!.message });
  reader.done();
  return parsed?.success ? new Date(parsed.data) : undefined;
};

const streamOf = (kind: HistoryKind, id: string): string => {
  switch (kind) {
    case "credential":
      return streams.credential(id);
    case "target":
      return streams.target(id);
    case "proxy":
      return streams.proxy(id);
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
};

const presentAsOf = (
  deps: CoreApiDeps,
  events: RecordedEvent[],
  kind: HistoryKind,
  id: string,
  asOf: Date,
) => {
  switch (kind) {
    case "credential": {
      const credential = resourceAsOf(events, kind, id, asOf);
      return credential && presentCredential(credential);
    }
    case "target": {
      const target = resourceAsOf(events, kind, id, asOf);
      return target && presentTarget(target);
    }
    case "proxy": {
      const proxy = resourceAsOf(events, kind, id, asOf);
      return proxy && presentProxy(deps, proxy);
    }
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
};

/**
 * The history of one resource, or, with `asOf`, the resource as it stood then
 * (null before it existed and after it was deleted), with the client that
 * owns it. Undefined when there is no such stream. No tenant check: callers
 * make it (the routes) or need none (the operator's CLI).
 */
export const readHistory = async (
  deps: CoreApiDeps,
  kind: HistoryKind,
  id: string,
  asOf?: Date,
) => {
  const { events } = await deps.store.readStream(streamOf(kind, id));
  const clientId = clientIdOfStream(events);
  if (events.length === 0 || clientId === undefined) return undefined;

  if (asOf === undefined) return { clientId, body: { data: historyOf(events) } };
  return {
    clientId,
    body: { asOf: asOf.toISOString(), [kind]: presentAsOf(deps, events, kind, id, asOf) ?? null },
  };
};

const answerHistory = async (
  deps: CoreApiDeps,
  request: Request,
  clientId: string,
  kind: HistoryKind,
  id: string,
) => {
  const client = clientOf(deps.live.view, callerOf(deps, request), clientId);
  const asOf = readAsOf(request);

  const history = await readHistory(deps, kind, id, asOf);
  if (history === undefined || history.clientId !== client.clientId) throw notFound(kind);
  return history.body;
};

export const historyRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients/:clientId/credentials/:credentialId/history", ({ request, params }) =>
      answerHistory(deps, request, params.clientId, "credential", params.credentialId),
    )
    .get("/clients/:clientId/targets/:targetId/history", ({ request, params }) =>
      answerHistory(deps, request, params.clientId, "target", params.targetId),
    )
    .get("/clients/:clientId/proxies/:proxyId/history", ({ request, params }) =>
      answerHistory(deps, request, params.clientId, "proxy", params.proxyId),
    );
