/**
 * The configuration read model: every client, user, credential, target and
 * proxy as they stand now, folded from the log. The Core API answers reads
 * and looks up references from it; the proxy table is built on top of it.
 * Folding mutates the view in place: it is rebuilt from the log at start, so
 * there is nothing to share and copying every map per event would only cost.
 */
import { ignoreUnknown } from "../domain/decider.ts";
import type {
  AuthType,
  CredentialType,
  Effect,
  FerryEvent,
  ProxyFields,
  Role,
  RuleEvent,
  RuleOwnerKind,
  StoredSecret,
  TargetFields,
} from "../domain/events.ts";
import { evolveRules, inListingOrder } from "../domain/rules/ruleList.ts";
import type { Rule } from "../rules/rule.ts";

export type ClientView = {
  clientId: string;
  clientName: string;
  members: Map<string, Role>;
  createdAt: string;
  updatedAt: string;
};

export type TokenView = {
  tokenId: string;
  userId: string;
  tokenName: string;
  tokenHash: string;
  readOnly: boolean;
  expiresAt: string | null;
  createdAt: string;
};

export type UserView = {
  userId: string;
  userName: string;
  isAdmin: boolean;
  tokens: Map<string, TokenView>;
  createdAt: string;
};

export type CredentialView = {
  credentialId: string;
  clientId: string;
  credentialName: string;
  credentialType: CredentialType;
  authType: AuthType;
  region: string | null;
  defaultEffect: Effect;
  secret: StoredSecret;
  secretVersion: number;
  /** The secret before the last rotation, while its grace period lasts. */
  previous: { secret: StoredSecret; validUntil: string } | null;
  rules: Rule[];
  createdAt: string;
  updatedAt: string;
};

export type TargetView = TargetFields & {
  targetId: string;
  clientId: string;
  rules: Rule[];
  createdAt: string;
  updatedAt: string;
};

export type ProxyView = ProxyFields & {
  proxyId: string;
  clientId: string;
  rules: Rule[];
  createdAt: string;
  updatedAt: string;
};

/**
 * `rules` of a credential, target or proxy view are kept in listing order
 * (`inListingOrder`: highest priority first, then oldest first), so readers
 * never sort.
 */
export type RuleOwnerView = CredentialView | TargetView | ProxyView;

export type ConfigView = {
  clients: Map<string, ClientView>;
  users: Map<string, UserView>;
  tokensByHash: Map<string, TokenView>;
  credentials: Map<string, CredentialView>;
  targets: Map<string, TargetView>;
  proxies: Map<string, ProxyView>;
};

export const emptyConfigView = (): ConfigView => ({
  clients: new Map(),
  users: new Map(),
  tokensByHash: new Map(),
  credentials: new Map(),
  targets: new Map(),
  proxies: new Map(),
});

/** What an event changed, so that dependants (the proxy table) can react. */
export type ConfigChange =
  | { kind: "credential"; id: string }
  | { kind: "target"; id: string }
  | { kind: "proxy"; id: string }
  | { kind: "client"; id: string }
  | { kind: "user"; id: string }
  | { kind: "none" };

export const applyConfigEvent = (view: ConfigView, event: FerryEvent): ConfigChange => {
  switch (event.type) {
    case "ClientCreated": {
      const { clientId, clientName, at } = event.data;
      view.clients.set(clientId, {
        clientId,
        clientName,
        members: new Map(),
        createdAt: at,
        updatedAt: at,
      });
      return { kind: "client", id: clientId };
    }
    case "ClientRenamed":
      update(view.clients, event.data.clientId, event.data.at, (client) => {
        client.clientName = event.data.clientName;
      });
      return { kind: "client", id: event.data.clientId };
    case "ClientDeleted":
      view.clients.delete(event.data.clientId);
      return { kind: "client", id: event.data.clientId };
    case "MemberAdded":
      update(view.clients, event.data.clientId, event.data.at, (client) => {
        client.members.set(event.data.userId, event.data.role);
      });
      return { kind: "client", id: event.data.clientId };
    case "MemberRemoved":
      update(view.clients, event.data.clientId, event.data.at, (client) => {
        client.members.delete(event.data.userId);
      });
      return { kind: "client", id: event.data.clientId };

    case "UserCreated": {
      const { userId, userName, isAdmin, at } = event.data;
      view.users.set(userId, { userId, userName, isAdmin, tokens: new Map(), createdAt: at });
      return { kind: "user", id: userId };
    }
    case "UserTokenIssued": {
      const { userId, tokenId, tokenName, tokenHash, readOnly, expiresAt, at } = event.data;
      const token: TokenView = {
        tokenId,
        userId,
        tokenName,
        tokenHash,
        readOnly,
        expiresAt,
        createdAt: at,
      };
      view.users.get(userId)?.tokens.set(tokenId, token);
      view.tokensByHash.set(tokenHash, token);
      return { kind: "user", id: userId };
    }
    case "UserTokenRevoked": {
      const token = view.users.get(event.data.userId)?.tokens.get(event.data.tokenId);
      if (token) {
        view.users.get(event.data.userId)?.tokens.delete(token.tokenId);
        view.tokensByHash.delete(token.tokenHash);
      }
      return { kind: "user", id: event.data.userId };
    }

    case "CredentialCreated": {
      // Credentials created before rules existed had no default effect: allow.
      const { at, defaultEffect = "allow", ...fields } = event.data;
      view.credentials.set(fields.credentialId, {
        ...fields,
        defaultEffect,
        secretVersion: 1,
        previous: null,
        rules: [],
        createdAt: at,
        updatedAt: at,
      });
      return { kind: "credential", id: fields.credentialId };
    }
    case "CredentialUpdated":
      update(view.credentials, event.data.credentialId, event.data.at, (credential) => {
        Object.assign(credential, event.data.changes);
      });
      return { kind: "credential", id: event.data.credentialId };
    case "CredentialSecretRotated":
      update(view.credentials, event.data.credentialId, event.data.at, (credential) => {
        const { previousValidUntil } = event.data;
        credential.previous =
          previousValidUntil === null
            ? null
            : { secret: credential.secret, validUntil: previousValidUntil };
        credential.secret = event.data.secret;
        credential.secretVersion = event.data.secretVersion;
      });
      return { kind: "credential", id: event.data.credentialId };
    case "CredentialDeleted":
      view.credentials.delete(event.data.credentialId);
      return { kind: "credential", id: event.data.credentialId };

    case "TargetCreated": {
      const { at, ...fields } = event.data;
      view.targets.set(fields.targetId, { ...fields, rules: [], createdAt: at, updatedAt: at });
      return { kind: "target", id: fields.targetId };
    }
    case "TargetUpdated":
      update(view.targets, event.data.targetId, event.data.at, (target) => {
        Object.assign(target, event.data.changes);
      });
      return { kind: "target", id: event.data.targetId };
    case "TargetDeleted":
      view.targets.delete(event.data.targetId);
      return { kind: "target", id: event.data.targetId };

    case "ProxyCreated": {
      const { at, ...fields } = event.data;
      view.proxies.set(fields.proxyId, { ...fields, rules: [], createdAt: at, updatedAt: at });
      return { kind: "proxy", id: fields.proxyId };
    }
    case "ProxyUpdated":
      update(view.proxies, event.data.proxyId, event.data.at, (proxy) => {
        Object.assign(proxy, event.data.changes);
      });
      return { kind: "proxy", id: event.data.proxyId };
    case "ProxyDeleted":
      view.proxies.delete(event.data.proxyId);
      return { kind: "proxy", id: event.data.proxyId };

    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      return applyRuleEvent(view, event);

    case "AdminBootstrapped":
    case "ProxyRequestsRecorded":
    case "AsyncRequestAccepted":
    case "AsyncAttemptStarted":
    case "AsyncAttemptEnded":
    case "AsyncDeliveryRefused":
    case "AsyncRequestReplayed":
      return { kind: "none" };
    default: {
      // Exhaustive over today's events; an event type written by a newer
      // Ferry is not configuration this version knows, so it changes nothing.
      return ignoreUnknown(event, { kind: "none" });
    }
  }
};

/**
 * A rule event changes its owner: the change names the owner, so the proxy
 * table rebuilds every proxy the owner takes part in. The owner's own
 * `updatedAt` stays: its fields did not change; the rule has its own.
 */
const applyRuleEvent = (view: ConfigView, event: RuleEvent): ConfigChange => {
  const { ownerKind, ownerId } = event.data;
  const owner = ownerOf(view, ownerKind, ownerId);
  if (owner) owner.rules = inListingOrder(evolveRules(owner.rules, event));
  return { kind: ownerKind, id: ownerId };
};

/** The credential, target or proxy a rule is attached to, if it is still there. */
export const ownerOf = (
  view: ConfigView,
  ownerKind: RuleOwnerKind,
  ownerId: string,
): RuleOwnerView | undefined => {
  switch (ownerKind) {
    case "credential":
      return view.credentials.get(ownerId);
    case "target":
      return view.targets.get(ownerId);
    case "proxy":
      return view.proxies.get(ownerId);
    default: {
      return ignoreUnknown(ownerKind, undefined);
    }
  }
};

const update = <T extends { updatedAt: string } | { createdAt: string }>(
  map: Map<string, T>,
  id: string,
  at: string,
  change: (value: T) => void,
): void => {
  const value = map.get(id);
  if (!value) return;
  change(value);
  if ("updatedAt" in value) value.updatedAt = at;
};

/** Proxies that reference a credential or target, for in-use checks. */
export const proxiesUsing = (view: ConfigView, id: string): string[] => {
  const ids: string[] = [];
  for (const proxy of view.proxies.values()) {
    if (proxy.proxyCredentialId === id || proxy.targetCredentialId === id || proxy.targetId === id)
      ids.push(proxy.proxyId);
  }
  return ids;
};
