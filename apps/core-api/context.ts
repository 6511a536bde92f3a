/**
 * What every Core API route needs, and the small helpers they share: the
 * caller behind the token, the client it may see, and the standard answers.
 */
import type { EventStore } from "../../core/eventStore/eventStore.ts";
import type { AsyncQueue } from "../../adapters/asyncQueue/index.ts";
import type { RequestLog } from "../../adapters/requestLog/index.ts";
import type { SecretBox } from "../../adapters/secrets/secretBox.ts";
import type { FerryConfig } from "../runtime/config.ts";
import type { LiveConfig } from "../runtime/liveConfig.ts";
import type { Logger } from "../runtime/logger.ts";
import { authenticate, requireWritable, type Caller } from "./auth.ts";

export type CoreApiDeps = {
  config: { publicProxyUrl: string; regionProxyUrls: FerryConfig["regionProxyUrls"] };
  store: EventStore;
  live: LiveConfig;
  secrets: Pick<SecretBox, "seal" | "destroyClientKey" | "openBytes">;
  hash(value: string): string;
  fingerprint(value: string): string;
  logger: Logger;
  now?: () => Date;
  /** The request log's queries; the request and usage routes answer 503 without it. */
  requestLog?: RequestLog;
  /** Queued requests; their detail, replay and queue routes answer 503 without it. */
  asyncQueue?: AsyncQueue;
  /** Called after a request was queued again here, to wake this process's worker. */
  onQueued?: () => void;
};

export const nowIso = (deps: CoreApiDeps): string => (deps.now?.() ?? new Date()).toISOString();

export const callerOf = (deps: CoreApiDeps, request: Request): Caller =>
  authenticate(deps.live.view, deps.hash, request.headers.get("authorization"), Date.now());

/** The caller, refused if its token is read-only: for every change. */
export const writerOf = (deps: CoreApiDeps, request: Request): Caller => {
  const caller = callerOf(deps, request);
  requireWritable(caller);
  return caller;
};

export const metadataOf = (caller: Caller) => ({
  actor: caller.user.userId,
  tokenId: caller.token.tokenId,
});

export const created = (body: unknown): Response => Response.json(body, { status: 201 });
export const noContent = (): Response => new Response(null, { status: 204 });
