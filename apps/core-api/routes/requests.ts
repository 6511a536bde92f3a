/**
 * Request logs (spec §3 "Request logs"): the client's proxied requests,
 * newest first, in pages of `{ data, nextCursor }`; one request by id; and
 * the same under one proxy, with RequestRocket's `processedAfter` and
 * `processedBefore` besides `startDate` and `endDate`.
 */
import { Elysia } from "elysia";
import {
  decodeCursor,
  encodeCursor,
  parseTime,
  throughDay,
  type RequestFilter,
  type RequestLog,
  type StoredRequest,
  type TimeBound,
} from "../../../adapters/requestLog/index.ts";
import { clientOf } from "../auth.ts";
import { callerOf, type CoreApiDeps } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { asyncDetail, asyncQueueOf } from "./asyncRequests.ts";

/** Spec §3: without `limit` a page holds up to 10,000 records, and no more with it. */
export const MAX_PAGE = 10_000;

/** Every status a record can have (spec §3), async ones included. */
export const requestStatuses = [
  "denied",
  "completed",
  "failed",
  "queued",
  "in_flight",
  "retrying",
] as const;

export type FieldError = { field: string; message: string };

/**
 * Reads the query's parameters one field at a time, gathering every bad one,
 * so that one 400 names them all. It reads the URL itself, so that a
 * repeated parameter is seen (and refused) and `+` decodes to a space as in
 * any form-encoded query.
 */
export class QueryReader {
  readonly errors: FieldError[] = [];
  private readonly query: URLSearchParams;
  constructor(request: Request) {
    this.query = new URL(request.url).searchParams;
  }

  /** A parameter given once; a repeated one is an error. */
  text(field: string): string | undefined {
    const values = this.query.getAll(field);
    if (values.length > 1) {
      this.errors.push({ field, message: "must be given once" });
      return undefined;
    }
    const value = values[0];
    return value === undefined || value === "" ? undefined : value;
  }

  /**
   * Time bounds from `startDate`/`endDate` (inclusive) and
   * `processedAfter`/`processedBefore` (exclusive). A range that can hold
   * nothing (a start after an end, or an exclusive bound at the other's
   * instant) is refused naming both: an empty answer would look like no
   * traffic. Equal inclusive bounds are one instant, and valid.
   */
  bounds(): TimeBound[] {
    type Named = { field: string; bound: TimeBound };
    const read = (field: string, toBound: (at: Date, dateOnly: boolean) => TimeBound) => {
      const value = this.text(field);
      if (value === undefined) return [];
      return parseTime(value).match(
        ({ at, dateOnly }): Named[] => [{ field, bound: toBound(at, dateOnly) }],
        (message): Named[] => {
          this.errors.push({ field, message });
          return [];
        },
      );
    };

    const startDate = read("startDate", (at) => ({ op: ">=", at }));
    // A bare end date includes that whole day.
    const endDate = read("endDate", (at, dateOnly) =>
      dateOnly ? throughDay(at) : { op: "<=", at },
    );
    const processedAfter = read("processedAfter", (at) => ({ op: ">", at }));
    const processedBefore = read("processedBefore", (at) => ({ op: "<", at }));

    for (const lower of [...startDate, ...processedAfter])
      for (const upper of [...endDate, ...processedBefore]) {
        const from = lower.bound.at.getTime();
        const to = upper.bound.at.getTime();
        const inclusive = lower.bound.op === ">=" && upper.bound.op === "<=";
        if (from < to || (from === to && inclusive)) continue;
        const message =
          lower.field === "startDate" && upper.field === "endDate"
            ? "must not be after endDate"
            : `must be before ${upper.field}`;
        this.errors.push({ field: lower.field, message });
      }
    return [...startDate, ...endDate, ...processedAfter, ...processedBefore].map(
      ({ bound }) => bound,
    );
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.text(field);
    if (value === undefined || (allowed as readonly string[]).includes(value))
      return value as T | undefined;
    this.errors.push({ field, message: `must be one of ${allowed.join(", ")}` });
    return undefined;
  }

  /** Throws the 400 naming every bad field, if there is one. */
  done(): void {
    if (this.errors.length > 0)
      throw new ApiError(400, "invalid_input", "the request is not valid", this.errors);
  }
}

export const requestLogOf = (deps: CoreApiDeps): RequestLog => {
  if (deps.requestLog === undefined)
    throw new ApiError(503, "request_log_unavailable", "the request log is not available here");
  return deps.requestLog;
};

/**
 * The proxy a filter or a route names, if the client may see its requests:
 * one of its proxies, or a deleted one whose requests are in its log.
 * Another client's proxy answers exactly like a missing one.
 */
export const requireProxyOf = async (
  deps: CoreApiDeps,
  clientId: string,
  proxyId: string,
): Promise<void> => {
  const proxy = deps.live.view.proxies.get(proxyId);
  if (proxy !== undefined && proxy.clientId === clientId) return;
  if (proxy === undefined && (await requestLogOf(deps).hasProxy(clientId, proxyId))) return;
  throw notFound("proxy");
};

/** A record as the API shows it: the spec's fields first, then the rest of the record. */
export const presentRequest = (stored: StoredRequest) => {
  const { record, status, responseStatus, duration, timestamp } = stored;
  const columns = { status, responseStatus, duration, timestamp };
  return {
    requestId: record.requestId,
    proxyId: record.proxyId,
    method: record.method,
    path: record.path,
    ...columns,
    ...record,
    ...columns,
  };
};

const readListQuery = (request: Request, clientId: string) => {
  const reader = new QueryReader(request);
  const statuses = reader.text("status")?.split(",");
  for (const status of statuses ?? [])
    if (!(requestStatuses as readonly string[]).includes(status))
      reader.errors.push({
        field: "status",
        message: `must be one or more of ${requestStatuses.join(", ")}`,
      });

  const limitText = reader.text("limit");
  const limit = limitText === undefined ? MAX_PAGE : Number(limitText);
  if (limitText !== undefined && !(/^\d+$/.test(limitText) && limit >= 1 && limit <= MAX_PAGE))
    reader.errors.push({ field: "limit", message: `must be a whole number from 1 to ${MAX_PAGE}` });

  const cursor = reader.text("cursor");
  const after =
    cursor === undefined
      ? null
      : decodeCursor(clientId, cursor).match(
          (key) => key,
          () => {
            reader.errors.push({ field: "cursor", message: "is not a cursor of this listing" });
            return null;
          },
        );

  const proxyId = reader.text("proxyId");
  const bounds = reader.bounds();
  reader.done();
  return { proxyId, statuses, bounds, limit, after };
};

/** A page of the client's log; `proxyId` when the route names a proxy it has checked. */
const listPage = async (
  deps: CoreApiDeps,
  request: Request,
  clientId: string,
  proxyId?: string,
) => {
  const input = readListQuery(request, clientId);
  if (proxyId === undefined && input.proxyId !== undefined)
    await requireProxyOf(deps, clientId, input.proxyId);
  // A proxy-scoped listing also filtered by another proxy holds nothing.
  if (proxyId !== undefined && input.proxyId !== undefined && input.proxyId !== proxyId)
    return { data: [], nextCursor: null };

  const filter: RequestFilter = {
    clientId,
    proxyId: proxyId ?? input.proxyId,
    statuses: input.statuses,
    bounds: input.bounds,
  };

  const page = await requestLogOf(deps).list(filter, { limit: input.limit, after: input.after });
  return {
    data: page.requests.map(presentRequest),
    nextCursor: page.next === null ? null : encodeCursor(clientId, page.next),
  };
};

const oneRequest = async (
  deps: CoreApiDeps,
  clientId: string,
  requestId: string,
  proxyId?: string,
) => {
  const stored = await requestLogOf(deps).get(clientId, requestId, proxyId);
  if (stored === null) throw notFound("request");
  const shown = presentRequest(stored);
  if (stored.record.async !== true) return shown;
  // A queued request's row may lag its events by nothing but a commit; the
  // events are read for the attempts and the kept answer.
  const state = await asyncQueueOf(deps).read(requestId);
  return state === null ? shown : { ...shown, ...(await asyncDetail(deps, state)) };
};

export const requestRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients/:clientId/requests", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return listPage(deps, request, client.clientId);
    })
    .get("/clients/:clientId/requests/:requestId", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return oneRequest(deps, client.clientId, params.requestId);
    })
    .get("/clients/:clientId/proxies/:proxyId/requests", async ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      await requireProxyOf(deps, client.clientId, params.proxyId);
      return listPage(deps, request, client.clientId, params.proxyId);
    })
    .get("/clients/:clientId/proxies/:proxyId/requests/:requestId", async ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      await requireProxyOf(deps, client.clientId, params.proxyId);
      return oneRequest(deps, client.clientId, params.requestId, params.proxyId);
    });
