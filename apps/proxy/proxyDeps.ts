import type { RequestRecord } from "../../core/domain/events.ts";
import type { Authorize } from "../../core/proxy/authorize.ts";
import type { ProxyTable } from "../../core/proxy/route.ts";

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
  /** Epoch milliseconds. */
  now?: () => number;
  /** A fresh `req_…` id. */
  newRequestId?: () => string;
};
