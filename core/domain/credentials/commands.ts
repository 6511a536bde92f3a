import type { AuthType, CredentialType, Effect, StoredSecret } from "../events.ts";
import type { RuleCommand } from "../rules/ruleCommands.ts";

/**
 * Secrets arrive already parsed (`parseSecret`), generated, hashed and
 * sealed at the edge: the decider never sees a plain secret value.
 */
export type CreateCredential = {
  type: "CreateCredential";
  credentialId: string;
  clientId: string;
  credentialName: string;
  credentialType: CredentialType;
  authType: AuthType;
  region?: string | null;
  /** What the credential's rule scope decides when no rule matches; default `allow`. */
  defaultEffect?: Effect;
  secret: StoredSecret;
  at: string;
};

/** Only the fields given change; `region: null` clears the region. */
export type UpdateCredential = {
  type: "UpdateCredential";
  credentialId: string;
  clientId: string;
  changes: { credentialName?: string; region?: string | null; defaultEffect?: Effect };
  at: string;
};

/**
 * Replaces the secret. `authType` is the one the new secret was parsed for;
 * it must be the credential's own. `previousValidUntil` keeps the old proxy
 * key valid until then, so callers can switch without downtime.
 */
export type RotateCredentialSecret = {
  type: "RotateCredentialSecret";
  credentialId: string;
  clientId: string;
  authType: AuthType;
  secret: StoredSecret;
  previousValidUntil?: string | null;
  at: string;
};

/** `usedByProxyIds`: the live proxies that name this credential, from the read model. */
export type DeleteCredential = {
  type: "DeleteCredential";
  credentialId: string;
  clientId: string;
  usedByProxyIds: readonly string[];
  at: string;
};

export type CredentialCommand =
  CreateCredential | UpdateCredential | RotateCredentialSecret | DeleteCredential | RuleCommand;
