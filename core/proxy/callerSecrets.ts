import type { CallerAuth } from "./route.ts";

/** Enough for every place a caller may use at once; more is an attempt to make us hash a lot. */
const MAX_CANDIDATES = 8;

/**
 * Every secret the caller presents, from every place spec §4 step 2 allows:
 * the `Authorization` header (raw, `Bearer …`, the bearer credential's own
 * prefix, `Basic base64(user:pass)`), for `apiKey` the header named by
 * `keyName`, and the values of the caller-credential query parameters.
 *
 * With `Basic`, a `basicAuth` caller must name its username and the password
 * is the secret; an `apiKey` or `bearer` caller may put its key in the
 * password (any username, as HTTP clients that only speak Basic do) or in the
 * username with an empty password (the `key:` form some SaaS APIs document).
 *
 * Repeated headers arrive joined with `, `: both the joined value and each
 * item are candidates, so neither a key holding a comma nor a duplicated
 * header line is lost.
 */
export function callerSecrets(
  caller: CallerAuth,
  headers: Headers,
  queryValues: readonly string[],
): string[] {
  const found: string[] = [];

  const authorization = headers.get("authorization");
  if (authorization !== null) fromAuthorization(caller, authorization, found);

  if (caller.authType === "apiKey") {
    const keyHeader = headers.get(caller.keyName);
    if (keyHeader !== null) for (const item of listItems(keyHeader)) add(found, item);
  }

  for (const value of queryValues) fromAuthorization(caller, value, found);

  return found;
}

function fromAuthorization(caller: CallerAuth, value: string, found: string[]): void {
  for (const item of listItems(value)) {
    const space = item.indexOf(" ");
    const scheme = space > 0 ? item.slice(0, space).toLowerCase() : "";
    const credentials = space > 0 ? item.slice(space + 1).trim() : "";

    if (scheme === "basic") {
      fromBasic(caller, credentials, found);
    } else if (caller.authType === "basicAuth") {
      continue;
    } else if (
      scheme === "bearer" ||
      (caller.authType === "bearer" && scheme === caller.prefix.toLowerCase())
    ) {
      add(found, credentials);
    } else {
      add(found, item);
    }
  }
}

function fromBasic(caller: CallerAuth, credentials: string, found: string[]): void {
  const pair = decodeBasic(credentials);
  if (pair === null) return;
  const colon = pair.indexOf(":");
  const user = colon < 0 ? pair : pair.slice(0, colon);
  const password = colon < 0 ? "" : pair.slice(colon + 1);

  if (caller.authType === "basicAuth") {
    if (user === caller.username) add(found, password);
    return;
  }
  add(found, password === "" ? user : password);
}

/** RFC 7617 §2: base64 of `user:pass`, read as UTF-8. */
function decodeBasic(credentials: string): string | null {
  try {
    const binary = atob(credentials);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function listItems(value: string): string[] {
  const whole = value.trim();
  if (!whole.includes(",")) return [whole];
  return [whole, ...whole.split(",").map((item) => item.trim())];
}

function add(found: string[], secret: string): void {
  if (secret === "" || found.length >= MAX_CANDIDATES || found.includes(secret)) return;
  found.push(secret);
}
