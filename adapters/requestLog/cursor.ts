/**
 * The listing's cursor: opaque to callers, it is the base64url JSON of the
 * last row's sort key and of the client whose listing handed it out. A
 * cursor shown to another client is refused like a malformed one, so it can
 * never reach that client's rows.
 */
import { err, ok, type Result } from "neverthrow";
import { isWithinInstantRange } from "../../core/domain/instants.ts";
import type { PageKey } from "./listRequests.ts";

type CursorBody = { c: string; t: string; r: string };

const microsecondStamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(clientId: string, key: PageKey): string {
  const body: CursorBody = { c: clientId, t: key.occurredAt, r: key.requestId };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * The page key in `cursor` if it is one this client was handed; otherwise
 * an error (the same for every reason, so a cursor tells nothing).
 */
export function decodeCursor(clientId: string, cursor: string): Result<PageKey, "invalid_cursor"> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return err("invalid_cursor");
  }
  if (!isCursorBody(body) || body.c !== clientId) return err("invalid_cursor");

  const key = { occurredAt: body.t, requestId: body.r };
  // Buffer decoding skips stray characters: only the exact encoding is ours.
  if (encodeCursor(clientId, key) !== cursor) return err("invalid_cursor");
  return ok(key);
}

/*
 * Only what the listing could have written passes: a timestamp of a day
 * that exists, within the years Postgres reads (Date.parse rolls 30 February
 * over to March), and an id Postgres text can hold.
 */
function isCursorBody(value: unknown): value is CursorBody {
  if (value === null || typeof value !== "object") return false;
  const { c, t, r } = value as Record<string, unknown>;
  return (
    typeof c === "string" &&
    typeof t === "string" &&
    microsecondStamp.test(t) &&
    isRealInstant(t) &&
    typeof r === "string" &&
    r.length > 0 &&
    r.length <= 200 &&
    !r.includes("\u0000") &&
    r.isWellFormed()
  );
}

const isRealInstant = (stamp: string): boolean => {
  const millis = `${stamp.slice(0, 23)}Z`;
  const at = new Date(millis);
  return isWithinInstantRange(at) && at.toISOString() === millis;
};
