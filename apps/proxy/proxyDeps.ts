import type { RequestRecord } from "../../core/domain/events.ts";
import type { Authorize } from "../../core/proxy/authorize.ts";
import type { RequestHead } from "../../core/async/envelope.ts";
import type { QueuedRequestFacts } from "../../core/domain/asyncEvents.ts";
import type { ProxyTable } from "../../core/proxy/route.ts";

/** A queued request as the proxy hands it over, after spec §4 steps 1 to 4. */
export type AsyncSubmission = QueuedRequestFacts & {
  head: RequestHead;
  body: Uint8Array<ArrayBuffer>;
  at: string;
};

/**
 * Resolves once the request is durable; answers the first request instead
 * when the idempotency key was seen within 24 hours. Rejects when the store
 * cannot take it: the caller must then not answer 202.
 */
export type SubmitAsync = (
  submission: AsyncSubmission,
) => Promise<{ requestId: string; status: string; duplicate: boolean }>;

type LogFn = (fields: object, message?: string) => void;

/** The part of a pino logger the proxy uses; a pino instance fits as it is. */
export type Logger = { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn };

/** What the proxy app is built from; everything that touches the world is injected. */
export type ProxyDeps = {
  /** The in-memory proxy table; nothing on the request path reads a database. */
  table: ProxyTable;
  /** Keyed hash of a presented caller secret, comparable to `AcceptedHash.hash`; pure (results are memoised). */
  hashSecret: (value: string) => string;
  /** Takes one finished request; must not block (batch it), and is never awaited. */
  record: (record: RequestRecord) => void;
  logger: Logger;
  /** Rule and limit evaluation (spec §4 step 4); every request passes without it. */
  authorize?: Authorize;
  /** Largest request body accepted (default 10 MiB); chunked bodies are checked here. */
  maxBodyBytes?: number;
  /** Durable submission of a queued request (spec §5); `/async/` answers 501 without it. */
  submitAsync?: SubmitAsync;
  /** Largest body a queued request may carry (default 10 MiB). */
  maxAsyncBodyBytes?: number;
  /** Epoch milliseconds. */
  now?: () => number;
  /** A fresh `req_…` id. */
  newRequestId?: () => string;
};
