import type { Rule } from "../rules/rule.ts";
import type { RetryPolicySettings } from "../async/retryPolicy.ts";
import type { AsyncEvent } from "./asyncEvents.ts";

/**
 * Every event Ferry writes, by aggregate. Type strings are PascalCase, past
 * tense, forever. Each event's data carries `at` (ISO-8601 UTC, set at the
 * edge on the command) and the owning `clientId` where there is one, so that
 * projections can fold any stream without reading another.
 */

export type Role = "owner" | "admin" | "member";
export type Effect = "allow" | "deny";
export type CredentialType = "proxy" | "target";
export type AuthType =
  "apiKey" | "bearer" | "basicAuth" | "jwtVerify" | "oauth2" | "custom" | "none";

/** AES-256-GCM ciphertext of a JSON document, under a client's data key. */
export type Sealed = {
  v: 1;
  /** Which data key sealed it. */
  keyId: string;
  iv: string;
  ciphertext: string;
};

/**
 * How a secret is kept in an event. Nothing in here is readable without the
 * master key: proxy-side values that are only ever compared (API keys,
 * bearer tokens, passwords) are keyed hashes; target-side values, which
 * must be injected upstream, are sealed.
 */
export type StoredSecret = {
  /** Names of the fields the caller supplied, for masked display. */
  fields: string[];
  /** Fields that are not secret (keyName, in, prefix, username, …). */
  public: Record<string, unknown>;
  /** Keyed hashes (base64url HMAC-SHA-256) of compared values, by field. */
  hashes?: Record<string, string>;
  /** The full secret document, for values Ferry must present upstream. */
  sealed?: Sealed;
  /** Short keyed fingerprint of the whole secret, safe to show. */
  fingerprint: string;
};

export type ClientEvent =
  | {
      type: "ClientCreated";
      data: { clientId: string; clientName: string; createdBy: string; at: string };
    }
  | { type: "ClientRenamed"; data: { clientId: string; clientName: string; at: string } }
  | { type: "ClientDeleted"; data: { clientId: string; at: string } }
  | { type: "MemberAdded"; data: { clientId: string; userId: string; role: Role; at: string } }
  | { type: "MemberRemoved"; data: { clientId: string; userId: string; at: string } };

export type UserEvent =
  | {
      type: "UserCreated";
      data: { userId: string; userName: string; isAdmin: boolean; at: string };
    }
  | {
      type: "UserTokenIssued";
      data: {
        userId: string;
        tokenId: string;
        tokenName: string;
        /** Keyed hash of the token; the token itself is shown once. */
        tokenHash: string;
        readOnly: boolean;
        expiresAt: string | null;
        at: string;
      };
    }
  | { type: "UserTokenRevoked"; data: { userId: string; tokenId: string; at: string } };

export type CredentialEvent =
  | {
      type: "CredentialCreated";
      data: {
        credentialId: string;
        clientId: string;
        credentialName: string;
        credentialType: CredentialType;
        authType: AuthType;
        region: string | null;
        /**
         * What the credential's rule scope decides when no rule matches.
         * Absent in events written before credentials had rules: read as allow.
         */
        defaultEffect?: Effect;
        secret: StoredSecret;
        at: string;
      };
    }
  | {
      type: "CredentialUpdated";
      data: {
        credentialId: string;
        clientId: string;
        changes: { credentialName?: string; region?: string | null; defaultEffect?: Effect };
        at: string;
      };
    }
  | {
      type: "CredentialSecretRotated";
      data: {
        credentialId: string;
        clientId: string;
        secret: StoredSecret;
        /** Secret version after the rotation (1 at creation). */
        secretVersion: number;
        /** Until when the previous proxy key stays valid; null: at once. */
        previousValidUntil: string | null;
        at: string;
      };
    }
  | { type: "CredentialDeleted"; data: { credentialId: string; clientId: string; at: string } }
  | RuleEvent;

/** What a rule is attached to; its events are on that owner's stream. */
export type RuleOwnerKind = "credential" | "target" | "proxy";

/**
 * Rules live on their owner's stream (`credential-…`, `target-…`,
 * `proxy-…`), so a rule and its owner change under one expected version.
 * `ownerKind` lets a projection find the owner without parsing the stream
 * id. `RuleChanged` carries the whole rule after the change, so folding never
 * needs the earlier events of the rule.
 */
export type RuleEvent =
  | {
      type: "RuleAdded";
      data: { ownerKind: RuleOwnerKind; ownerId: string; clientId: string; rule: Rule; at: string };
    }
  | {
      type: "RuleChanged";
      data: {
        ownerKind: RuleOwnerKind;
        ownerId: string;
        clientId: string;
        ruleId: string;
        rule: Rule;
        at: string;
      };
    }
  | {
      type: "RuleRemoved";
      data: {
        ownerKind: RuleOwnerKind;
        ownerId: string;
        clientId: string;
        ruleId: string;
        at: string;
      };
    };

export type TargetFields = {
  targetName: string;
  baseURL: string;
  testPath: string | null;
  region: string | null;
  defaultEffect: Effect;
  /** Upstream timeout in milliseconds (spec §4 step 7: default 30 s). */
  timeoutMs: number;
  /** Overrides of the queued delivery's retry policy; null (or absent in older events): the defaults. */
  retryPolicy?: RetryPolicySettings;
};

export type TargetEvent =
  | {
      type: "TargetCreated";
      data: TargetFields & { targetId: string; clientId: string; at: string };
    }
  | {
      type: "TargetUpdated";
      data: { targetId: string; clientId: string; changes: Partial<TargetFields>; at: string };
    }
  | { type: "TargetDeleted"; data: { targetId: string; clientId: string; at: string } }
  | RuleEvent;

export type ProxyFields = {
  proxyName: string;
  proxyCredentialId: string;
  targetId: string;
  targetCredentialId: string;
  active: boolean;
  region: string | null;
  defaultEffect: Effect;
  maxRequestsPerMinute: number | null;
  maxRequestsPerDay: number | null;
};

export type ProxyEvent =
  | { type: "ProxyCreated"; data: ProxyFields & { proxyId: string; clientId: string; at: string } }
  | {
      type: "ProxyUpdated";
      data: { proxyId: string; clientId: string; changes: Partial<ProxyFields>; at: string };
    }
  | { type: "ProxyDeleted"; data: { proxyId: string; clientId: string; at: string } }
  | RuleEvent;

/** Final status of a synchronous request record (spec §3). */
export type RequestStatus = "denied" | "completed" | "failed";

export type RequestRecord = {
  requestId: string;
  clientId: string;
  proxyId: string;
  method: string;
  /** Canonical path, as rules saw it and the upstream received it. */
  path: string;
  /** Query string with secret parameters redacted. */
  query: string;
  status: RequestStatus;
  responseStatus: number | null;
  /** Milliseconds; 0 when no upstream call was made. */
  duration: number;
  timestamp: string;
  /** requestrocket-proxy-code or error code of the outcome. */
  code: string;
  targetCredentialId: string | null;
  /** Secret version of the target credential that was injected. */
  targetCredentialVersion: number | null;
  requestBytes: number;
  responseBytes: number;
  /** For a denial by a rule: the rule that decided. */
  ruleId?: string;
};

/**
 * Synchronous request records arrive in batches: one event holds the records
 * of one proxy from one flush (at most a few hundred milliseconds). One row
 * per batch keeps the embedded store, which runs on the proxy's own thread,
 * off the request path; projections unfold the records.
 */
export type RequestEvent = {
  type: "ProxyRequestsRecorded";
  data: { proxyId: string; clientId: string; records: RequestRecord[] };
};

/**
 * Written once, in the same transaction as the first admin user, on a stream
 * that must not exist yet: two processes starting on one empty store cannot
 * both create an admin.
 */
export type SystemEvent = { type: "AdminBootstrapped"; data: { userId: string; at: string } };

export type FerryEvent =
  | SystemEvent
  | ClientEvent
  | UserEvent
  | CredentialEvent
  | TargetEvent
  | ProxyEvent
  | RequestEvent
  | AsyncEvent;

export type FerryEventType = FerryEvent["type"];

/** Stream ids: one stream per aggregate, prefixed by its kind. */
export const streams = {
  client: (clientId: string) => `client-${clientId}`,
  user: (userId: string) => `user-${userId}`,
  credential: (credentialId: string) => `credential-${credentialId}`,
  target: (targetId: string) => `target-${targetId}`,
  proxy: (proxyId: string) => `proxy-${proxyId}`,
  requests: (proxyId: string) => `requests-${proxyId}`,
  async: (requestId: string) => `async-${requestId}`,
  bootstrap: () => "system-bootstrap",
} as const;
