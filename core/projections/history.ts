/**
 * Audit replay (spec §3 "Audit"): the events of one credential, target or
 * proxy stream, rules included since they live on their owner's stream, as
 * entries that say who changed what and when; and the resource as it stood
 * at a given time, folded with the configuration view's own fold so that the
 * answer cannot drift from what the live view answered then.
 *
 * Summaries are built from an allow-list of fields per event type: a secret's
 * hashes and sealed document never leave the store, and an event type this
 * version does not know answers no fields at all rather than its raw data.
 */
import { ignoreUnknown } from "../domain/decider.ts";
import type { FerryEvent, StoredSecret } from "../domain/events.ts";
import type { RecordedEvent } from "../eventStore/eventStore.ts";
import type { Rule, RuleFields } from "../rules/rule.ts";
import {
  applyConfigEvent,
  emptyConfigView,
  type ConfigView,
  type CredentialView,
  type ProxyView,
  type TargetView,
} from "./configView.ts";

export type HistoryKind = "credential" | "target" | "proxy";

export type HistoryEntry = {
  /** Version of the event in its stream, from 1. */
  version: number;
  type: string;
  at: string;
  /** The user whose token made the change; null for events written without one. */
  actor: string | null;
  changes: Record<string, unknown>;
};

/** The events of a stream in stream order, as history entries. */
export const historyOf = (events: readonly RecordedEvent[]): HistoryEntry[] =>
  [...events]
    .sort((a, b) => a.streamVersion - b.streamVersion)
    .map((event) => ({
      version: event.streamVersion,
      type: event.type,
      at: eventTime(event),
      actor: typeof event.metadata.actor === "string" ? event.metadata.actor : null,
      changes: changesOf(event as unknown as FerryEvent),
    }));

/**
 * The client a resource stream belongs to, from its first event: it stays
 * known after the resource is deleted, when the live view has dropped it.
 */
export const clientIdOfStream = (events: readonly RecordedEvent[]): string | undefined => {
  const first = events.find((event) => event.streamVersion === 1) ?? events[0];
  const clientId = first?.data.clientId;
  return typeof clientId === "string" ? clientId : undefined;
};

type ViewOf = { credential: CredentialView; target: TargetView; proxy: ProxyView };

/**
 * The resource as it stood at `asOf`: every event recorded at or before that
 * instant, folded on an empty view. Undefined when it did not exist yet or had
 * been deleted by then.
 */
export const resourceAsOf = <K extends HistoryKind>(
  events: readonly RecordedEvent[],
  kind: K,
  id: string,
  asOf: Date,
): ViewOf[K] | undefined => {
  const view = emptyConfigView();
  const until = asOf.getTime();
  for (const event of [...events].sort((a, b) => a.streamVersion - b.streamVersion)) {
    if (Date.parse(eventTime(event)) > until) break;
    applyConfigEvent(view, event as unknown as FerryEvent);
  }
  return mapOf(view, kind).get(id) as ViewOf[K] | undefined;
};

const mapOf = (view: ConfigView, kind: HistoryKind): Map<string, unknown> => {
  switch (kind) {
    case "credential":
      return view.credentials;
    case "target":
      return view.targets;
    case "proxy":
      return view.proxies;
    default: {
      return ignoreUnknown(kind, new Map());
    }
  }
};

/** The edge sets `at` on every command; the commit time stands in for events without one. */
const eventTime = (event: RecordedEvent): string =>
  typeof event.data.at === "string" ? event.data.at : event.recordedAt;

/** What a secret change may show: which fields it has and its keyed fingerprint. */
const secretSummary = (secret: StoredSecret, secretVersion: number) => ({
  fields: [...secret.fields],
  fingerprint: secret.fingerprint,
  secretVersion,
});

/** A rule's fields in the order the rule routes answer them; stored rules come back reordered. */
const ruleFieldOrder: readonly (keyof RuleFields)[] = [
  "effect",
  "priority",
  "notes",
  "methods",
  "methodPattern",
  "methodPresence",
  "pathPattern",
  "pathPresence",
  "headers",
  "query",
  "regexFlags",
  "rateLimit",
];

/** A rule's own fields, flat, id first; its timestamps are the entry's. */
const ruleSummary = (rule: Rule): Record<string, unknown> => {
  const summary: Record<string, unknown> = { ruleId: rule.ruleId };
  for (const field of ruleFieldOrder) if (rule[field] !== undefined) summary[field] = rule[field];
  return summary;
};

const changesOf = (event: FerryEvent): Record<string, unknown> => {
  switch (event.type) {
    case "CredentialCreated": {
      const { credentialName, credentialType, authType, region, defaultEffect } = event.data;
      return {
        credentialName,
        credentialType,
        authType,
        region,
        defaultEffect: defaultEffect ?? "allow",
        secret: secretSummary(event.data.secret, 1),
      };
    }
    case "CredentialUpdated":
    case "TargetUpdated":
    case "ProxyUpdated":
      return { ...event.data.changes };
    case "CredentialSecretRotated":
      return {
        secret: secretSummary(event.data.secret, event.data.secretVersion),
        previousValidUntil: event.data.previousValidUntil,
      };
    case "TargetCreated": {
      const { targetId, clientId, at, ...fields } = event.data;
      void targetId;
      void clientId;
      void at;
      return fields;
    }
    case "ProxyCreated": {
      const { proxyId, clientId, at, ...fields } = event.data;
      void proxyId;
      void clientId;
      void at;
      return fields;
    }
    case "RuleAdded":
      return ruleSummary(event.data.rule);
    case "RuleChanged":
      return { ...ruleSummary(event.data.rule), ruleId: event.data.ruleId };
    case "RuleRemoved":
      return { ruleId: event.data.ruleId };
    case "CredentialDeleted":
    case "TargetDeleted":
    case "ProxyDeleted":
      return {};
    case "ClientCreated":
    case "ClientRenamed":
    case "ClientDeleted":
    case "MemberAdded":
    case "MemberRemoved":
    case "UserCreated":
    case "UserTokenIssued":
    case "UserTokenRevoked":
    case "ProxyRequestsRecorded":
    case "AsyncRequestAccepted":
    case "AsyncAttemptStarted":
    case "AsyncAttemptEnded":
    case "AsyncDeliveryRefused":
    case "AsyncRequestReplayed":
    case "AdminBootstrapped":
      // Not events of a resource stream; named so the switch stays exhaustive.
      return {};
    default: {
      return ignoreUnknown(event, {});
    }
  }
};
