/**
 * Rules (spec §2 "Rule"), under the proxy, credential or target they are
 * attached to: `/clients/{clientId}/{proxies|credentials|targets}/{id}/rules`.
 * Each rule is an event on its owner's stream. Input is read in every
 * spelling `parseRuleInput` knows (flat, nested `path: { pattern }`,
 * `rule`-prefixed); answers use only the flat one. A rule holds no secret,
 * so every answer shows it whole.
 */
import { Elysia } from "elysia";
import { credentialDecider } from "../../../core/domain/credentials/decider.ts";
import { streams, type RuleOwnerKind } from "../../../core/domain/events.ts";
import { proxyDecider } from "../../../core/domain/proxies/decider.ts";
import { fieldsOf, type RuleCommand } from "../../../core/domain/rules/ruleCommands.ts";
import { targetDecider } from "../../../core/domain/targets/decider.ts";
import type { ConfigView, RuleOwnerView } from "../../../core/projections/configView.ts";
import { parseRuleInput, type ParsedRule } from "../../../core/rules/parseRule.ts";
import type { PairCondition, Rule } from "../../../core/rules/rule.ts";
import { newId } from "../../runtime/ids.ts";
import { clientOf, ownedBy, type Caller } from "../auth.ts";
import {
  callerOf,
  created,
  metadataOf,
  noContent,
  nowIso,
  writerOf,
  type CoreApiDeps,
} from "../context.ts";
import { notFound } from "../errors.ts";
import { domainErrorToApi, execute } from "../execute.ts";
import { readJsonObject } from "../input.ts";

/** Where each kind of owner lives in the URL and in the view. */
const owners = {
  credential: {
    segment: "credentials",
    param: "credentialId",
    map: (view: ConfigView): Map<string, RuleOwnerView> => view.credentials,
  },
  target: {
    segment: "targets",
    param: "targetId",
    map: (view: ConfigView): Map<string, RuleOwnerView> => view.targets,
  },
  proxy: {
    segment: "proxies",
    param: "proxyId",
    map: (view: ConfigView): Map<string, RuleOwnerView> => view.proxies,
  },
} as const;

/** The flat spelling of spec §2, fields in one order; absent conditions are left out. */
export const presentRule = (rule: Rule) => ({
  ruleId: rule.ruleId,
  effect: rule.effect,
  priority: rule.priority,
  ...(rule.notes !== undefined && { notes: rule.notes }),
  ...(rule.methods !== undefined && { methods: rule.methods }),
  ...(rule.methodPattern !== undefined && {
    methodPattern: rule.methodPattern,
    methodPresence: rule.methodPresence ?? "present",
  }),
  ...(rule.pathPattern !== undefined && {
    pathPattern: rule.pathPattern,
    pathPresence: rule.pathPresence ?? "present",
  }),
  ...(rule.headers !== undefined && { headers: rule.headers.map(presentPair) }),
  ...(rule.query !== undefined && { query: rule.query.map(presentPair) }),
  ...(rule.regexFlags !== undefined && { regexFlags: rule.regexFlags }),
  ...(rule.rateLimit !== undefined && {
    rateLimit: { limit: rule.rateLimit.limit, window: rule.rateLimit.window },
  }),
  createdAt: rule.createdAt,
  updatedAt: rule.updatedAt,
});

// Stored rules come back from jsonb with their keys reordered: answer in one order.
const presentPair = ({ name, value, presence }: PairCondition) =>
  value === undefined ? { name, presence } : { name, value, presence };

const withWarnings = (body: ReturnType<typeof presentRule>, warnings: string[]) =>
  warnings.length > 0 ? { ...body, warnings } : body;

const parsedOrThrow = (parsed: ReturnType<typeof parseRuleInput>): ParsedRule => {
  if (parsed.isErr()) throw domainErrorToApi(parsed.error);
  return parsed.value;
};

const ruleOf = (owner: RuleOwnerView, ruleId: string): Rule => {
  const rule = owner.rules.find((each) => each.ruleId === ruleId);
  if (!rule) throw notFound("rule");
  return rule;
};

/**
 * The rule as the view holds it once the command's events are in; an owner
 * deleted meanwhile answers 404 like any other missing one.
 */
const ruleAfter = (deps: CoreApiDeps, kind: RuleOwnerKind, ownerId: string, ruleId: string) => {
  const owner = owners[kind].map(deps.live.view).get(ownerId);
  if (!owner) throw notFound(kind);
  return ruleOf(owner, ruleId);
};

const executeRule = (
  deps: CoreApiDeps,
  kind: RuleOwnerKind,
  command: RuleCommand,
  caller: Caller,
) => {
  const metadata = metadataOf(caller);
  switch (kind) {
    case "credential":
      return execute(
        deps,
        streams.credential(command.ownerId),
        credentialDecider,
        command,
        metadata,
      );
    case "target":
      return execute(deps, streams.target(command.ownerId), targetDecider, command, metadata);
    case "proxy":
      return execute(deps, streams.proxy(command.ownerId), proxyDecider, command, metadata);
  }
};

const ruleRoutesOf = (deps: CoreApiDeps, kind: RuleOwnerKind) => {
  const { segment, param, map } = owners[kind];
  const collection = `/clients/:clientId/${segment}/:${param}/rules`;
  const item = `${collection}/:ruleId`;

  /**
   * The owner, of the caller's client, or 404 exactly as if it did not
   * exist; `ruleId` is the rule named in the path, if any.
   */
  const ownerFor = (caller: Caller, params: Record<string, string>) => {
    const client = clientOf(deps.live.view, caller, params.clientId ?? "");
    const ownerId = params[param] ?? "";
    const owner = ownedBy(map(deps.live.view), ownerId, client.clientId, kind);
    return { clientId: client.clientId, ownerId, owner, ruleId: params.ruleId ?? "" };
  };

  return new Elysia()
    .get(collection, ({ request, params }) =>
      ownerFor(callerOf(deps, request), params).owner.rules.map(presentRule),
    )
    .post(
      collection,
      async ({ request, params }) => {
        const caller = writerOf(deps, request);
        const { clientId, ownerId } = ownerFor(caller, params);
        const { fields, warnings } = parsedOrThrow(
          parseRuleInput(await readJsonObject(request), "create"),
        );
        const ruleId = newId("rule");
        await executeRule(
          deps,
          kind,
          { type: "AddRule", ownerId, clientId, ruleId, fields, at: nowIso(deps) },
          caller,
        );
        return created(withWarnings(presentRule(ruleAfter(deps, kind, ownerId, ruleId)), warnings));
      },
      { parse: "none" },
    )
    .get(item, ({ request, params }) => {
      const { owner, ruleId } = ownerFor(callerOf(deps, request), params);
      return presentRule(ruleOf(owner, ruleId));
    })
    .put(
      item,
      async ({ request, params }) => {
        const caller = writerOf(deps, request);
        const { clientId, ownerId, owner, ruleId } = ownerFor(caller, params);
        const rule = ruleOf(owner, ruleId);
        // Partial (spec §3): the fields given are applied to the rule as it
        // stands, and the result is checked whole.
        const { fields, warnings } = parsedOrThrow(
          parseRuleInput(await readJsonObject(request), "patch", fieldsOf(rule)),
        );
        await executeRule(
          deps,
          kind,
          { type: "ChangeRule", ownerId, clientId, ruleId: rule.ruleId, fields, at: nowIso(deps) },
          caller,
        );
        return withWarnings(presentRule(ruleAfter(deps, kind, ownerId, rule.ruleId)), warnings);
      },
      { parse: "none" },
    )
    .delete(item, async ({ request, params }) => {
      const caller = writerOf(deps, request);
      const { clientId, ownerId, owner, ruleId } = ownerFor(caller, params);
      const rule = ruleOf(owner, ruleId);
      await executeRule(
        deps,
        kind,
        { type: "RemoveRule", ownerId, clientId, ruleId: rule.ruleId, at: nowIso(deps) },
        caller,
      );
      return noContent();
    });
};

export const ruleRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .use(ruleRoutesOf(deps, "proxy"))
    .use(ruleRoutesOf(deps, "credential"))
    .use(ruleRoutesOf(deps, "target"));
