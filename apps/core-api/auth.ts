/**
 * User-token authentication and tenant isolation. A token arrives raw
 * (`Authorization: u-…`) or as `Bearer u-…` (spec §2); only its keyed hash is
 * known to Ferry. A client the user is not a member of answers exactly like
 * one that does not exist, so ids cannot be probed (field case C15).
 */
import type {
  ClientView,
  ConfigView,
  TokenView,
  UserView,
} from "../../core/projections/configView.ts";
import { ApiError, notFound } from "./errors.ts";

export type Caller = { user: UserView; token: TokenView };

const TOKEN_PATTERN = /^(?:bearer\s+)?(u-[A-Za-z0-9_-]{16,200})$/i;

export const authenticate = (
  view: ConfigView,
  hash: (value: string) => string,
  header: string | null,
  now: number,
): Caller => {
  const match = TOKEN_PATTERN.exec(header?.trim() ?? "");
  if (!match) throw new ApiError(401, "unauthorized", "a valid user token is required");

  const token = view.tokensByHash.get(hash(match[1]!));
  const user = token && view.users.get(token.userId);
  if (!token || !user || (token.expiresAt !== null && Date.parse(token.expiresAt) <= now))
    throw new ApiError(401, "unauthorized", "a valid user token is required");
  return { user, token };
};

export const requireWritable = (caller: Caller): void => {
  if (caller.token.readOnly)
    throw new ApiError(403, "read_only_token", "this token can read but not change anything");
};

export const clientOf = (view: ConfigView, caller: Caller, clientId: string): ClientView => {
  const client = view.clients.get(clientId);
  if (!client || !client.members.has(caller.user.userId)) throw notFound("client");
  return client;
};

export const requireRole = (
  client: ClientView,
  caller: Caller,
  roles: readonly ("owner" | "admin" | "member")[],
): void => {
  const role = client.members.get(caller.user.userId);
  if (!role || !roles.includes(role))
    throw new ApiError(403, "forbidden", `this needs the role ${roles.join(" or ")} on the client`);
};

/** Finds a resource of the client, or answers 404 as if it did not exist. */
export const ownedBy = <T extends { clientId: string }>(
  map: Map<string, T>,
  id: string,
  clientId: string,
  what: string,
): T => {
  const item = map.get(id);
  if (!item || item.clientId !== clientId) throw notFound(what);
  return item;
};
