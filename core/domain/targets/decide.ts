import { ok, type Result } from "neverthrow";
import * as z from "zod";
import { changedFields, isEmpty } from "../changes.ts";
import { assertNever } from "../decider.ts";
import { fail, type DomainError } from "../errors.ts";
import type { TargetEvent } from "../events.ts";
import {
  baseURLSchema,
  DEFAULT_TIMEOUT_MS,
  effectSchema,
  nameSchema,
  regionSchema,
  testPathSchema,
  timeoutMsSchema,
} from "../fields.ts";
import { parseInput } from "../parseInput.ts";
import { decideRuleCommand, isRuleCommand } from "../rules/ruleCommands.ts";
import { retryPolicySchema } from "../../async/retryPolicy.ts";
import type { TargetCommand } from "./commands.ts";
import type { TargetState } from "./state.ts";

type Decision = Result<TargetEvent[], DomainError>;

const createInput = z.object({
  targetName: nameSchema,
  baseURL: baseURLSchema,
  testPath: testPathSchema.optional().transform((path) => path ?? null),
  region: regionSchema.optional().transform((region) => region ?? null),
  defaultEffect: effectSchema.optional().transform((effect) => effect ?? "allow"),
  timeoutMs: timeoutMsSchema.optional().transform((timeout) => timeout ?? DEFAULT_TIMEOUT_MS),
  retryPolicy: retryPolicySchema.optional().transform((policy) => policy ?? null),
});

const updateInput = z.object({
  targetName: nameSchema.optional(),
  baseURL: baseURLSchema.optional(),
  testPath: testPathSchema.optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
  timeoutMs: timeoutMsSchema.optional(),
  retryPolicy: retryPolicySchema.optional(),
});

export const decide = (command: TargetCommand, state: TargetState): Decision => {
  if (isRuleCommand(command)) return decideRuleCommand("target", command, state);

  if (command.type === "CreateTarget") {
    if (state.status !== "empty") {
      return fail("target_already_exists", `target ${command.targetId} already exists`);
    }
    return parseInput(createInput, command).map((fields) => [
      {
        type: "TargetCreated",
        data: { targetId: command.targetId, clientId: command.clientId, ...fields, at: command.at },
      },
    ]);
  }

  // Another client's target answers exactly like a missing one (spec §2).
  if (state.status !== "active" || state.clientId !== command.clientId) {
    return fail("target_not_found", `target ${command.targetId} not found`);
  }
  const { targetId, clientId } = state;

  switch (command.type) {
    case "UpdateTarget":
      return parseInput(updateInput, command.changes).map((given) => {
        const changes = changedFields(state, given);
        return isEmpty(changes)
          ? []
          : [{ type: "TargetUpdated", data: { targetId, clientId, changes, at: command.at } }];
      });
    case "DeleteTarget":
      if (command.usedByProxyIds.length > 0) {
        return fail(
          "target_in_use",
          `target ${targetId} is used by proxies: ${command.usedByProxyIds.join(", ")}`,
          { proxyIds: [...command.usedByProxyIds] },
        );
      }
      return ok([{ type: "TargetDeleted", data: { targetId, clientId, at: command.at } }]);
    default:
      return assertNever(command);
  }
};
