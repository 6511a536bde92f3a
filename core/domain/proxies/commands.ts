import type { CredentialType, Effect, ProxyFields } from "../events.ts";
import type { RuleCommand } from "../rules/ruleCommands.ts";

/**
 * What the handler looked up about a referenced credential or target, from
 * the read model; null when there is no such id at all. The decider judges
 * them; it never reads another stream.
 */
export type CredentialFacts = {
  clientId: string;
  credentialType: CredentialType;
  status: "active" | "deleted";
};
export type TargetFacts = { clientId: string; status: "active" | "deleted" };

export type CreateProxy = {
  type: "CreateProxy";
  proxyId: string;
  clientId: string;
  proxyName: string;
  proxyCredentialId: string;
  targetId: string;
  targetCredentialId: string;
  /** Default true. */
  active?: boolean;
  region?: string | null;
  /** Default `allow`. */
  defaultEffect?: Effect;
  maxRequestsPerMinute?: number | null;
  maxRequestsPerDay?: number | null;
  proxyCredential: CredentialFacts | null;
  target: TargetFacts | null;
  targetCredential: CredentialFacts | null;
  at: string;
};

/**
 * Only the fields given change. The facts are needed only for a reference
 * that changes; one that changes without its facts is refused.
 */
export type UpdateProxy = {
  type: "UpdateProxy";
  proxyId: string;
  clientId: string;
  changes: Partial<ProxyFields>;
  proxyCredential?: CredentialFacts | null;
  target?: TargetFacts | null;
  targetCredential?: CredentialFacts | null;
  at: string;
};

export type DeleteProxy = { type: "DeleteProxy"; proxyId: string; clientId: string; at: string };

export type ProxyCommand = CreateProxy | UpdateProxy | DeleteProxy | RuleCommand;
