import { ok, Result } from "neverthrow";
import * as z from "zod";
import { changedFields, isEmpty } from "../changes.ts";
import { assertNever } from "../decider.ts";
import { fail, type DomainError } from "../errors.ts";
import type { ProxyEvent, ProxyFields } from "../events.ts";
import { effectSchema, nameSchema, regionSchema, requestLimitSchema } from "../fields.ts";
import { parseInput } from "../parseInput.ts";
import { decideRuleCommand, isRuleCommand } from "../rules/ruleCommands.ts";
import type { CreateProxy, ProxyCommand, UpdateProxy } from "./commands.ts";
import { checkCredential, checkTarget } from "./references.ts";
import type { ProxyState } from "./state.ts";

type ActiveProxy = Extract<ProxyState, { status: "active" }>;
type Decision = Result<ProxyEvent[], DomainError>;

const reference = z.string({ error: "must be a string" }).min(1, { error: "is required" });
const active = z.boolean({ error: "must be true or false" });

const createInput = z.object({
  proxyName: nameSchema,
  proxyCredentialId: reference,
  targetId: reference,
  targetCredentialId: reference,
  active: active.optional().transform((value) => value ?? true),
  region: regionSchema.optional().transform((region) => region ?? null),
  defaultEffect: effectSchema.optional().transform((effect) => effect ?? "allow"),
  maxRequestsPerMinute: requestLimitSchema.optional().transform((limit) => limit ?? null),
  maxRequestsPerDay: requestLimitSchema.optional().transform((limit) => limit ?? null),
});

const updateInput = z.object({
  proxyName: nameSchema.optional(),
  proxyCredentialId: reference.optional(),
  targetId: reference.optional(),
  targetCredentialId: reference.optional(),
  active: active.optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
  maxRequestsPerMinute: requestLimitSchema.optional(),
  maxRequestsPerDay: requestLimitSchema.optional(),
});

export const decide = (command: ProxyCommand, state: ProxyState): Decision => {
  if (isRuleCommand(command)) return decideRuleCommand("proxy", command, state);

  if (command.type === "CreateProxy") return create(command, state);

  // Another client's proxy answers exactly like a missing one (spec §2).
  if (state.status !== "active" || state.clientId !== command.clientId) {
    return fail("proxy_not_found", `proxy ${command.proxyId} not found`);
  }

  switch (command.type) {
    case "UpdateProxy":
      return update(command, state);
    case "DeleteProxy":
      return ok([
        {
          type: "ProxyDeleted",
          data: { proxyId: state.proxyId, clientId: state.clientId, at: command.at },
        },
      ]);
    default:
      return assertNever(command);
  }
};

const create = (command: CreateProxy, state: ProxyState): Decision => {
  if (state.status !== "empty") {
    return fail("proxy_already_exists", `proxy ${command.proxyId} already exists`);
  }
  const { proxyId, clientId, at } = command;

  return parseInput(createInput, command)
    .andThen((fields) =>
      checkCredential(
        "proxyCredentialId",
        fields.proxyCredentialId,
        command.proxyCredential,
        clientId,
        "proxy",
      )
        .andThen(() => checkTarget(fields.targetId, command.target, clientId))
        .andThen(() =>
          checkCredential(
            "targetCredentialId",
            fields.targetCredentialId,
            command.targetCredential,
            clientId,
            "target",
          ),
        )
        .map(() => fields),
    )
    .map((fields) => [{ type: "ProxyCreated", data: { proxyId, clientId, ...fields, at } }]);
};

const update = (command: UpdateProxy, state: ActiveProxy): Decision =>
  parseInput(updateInput, command.changes)
    .map((given): Partial<ProxyFields> => changedFields(state, given))
    .andThen((changes) => checkChangedReferences(command, state.clientId, changes))
    .map((changes) =>
      isEmpty(changes)
        ? []
        : [
            {
              type: "ProxyUpdated",
              data: { proxyId: state.proxyId, clientId: state.clientId, changes, at: command.at },
            },
          ],
    );

/** A reference that stays as it was was checked when it was set; a new one is checked now. */
const checkChangedReferences = (
  command: UpdateProxy,
  clientId: string,
  changes: Partial<ProxyFields>,
): Result<Partial<ProxyFields>, DomainError> => {
  const { proxyCredentialId, targetId, targetCredentialId } = changes;
  const checks = [
    proxyCredentialId === undefined
      ? ok(undefined)
      : checkCredential(
          "proxyCredentialId",
          proxyCredentialId,
          command.proxyCredential,
          clientId,
          "proxy",
        ),
    targetId === undefined ? ok(undefined) : checkTarget(targetId, command.target, clientId),
    targetCredentialId === undefined
      ? ok(undefined)
      : checkCredential(
          "targetCredentialId",
          targetCredentialId,
          command.targetCredential,
          clientId,
          "target",
        ),
  ];
  return Result.combine(checks).map(() => changes);
};
