import { ok, type Result } from "neverthrow";
import * as z from "zod";
import { assertNever } from "../decider.ts";
import { fail, invalidFields, type DomainError } from "../errors.ts";
import type { UserEvent } from "../events.ts";
import { nameSchema, timestampSchema } from "../fields.ts";
import { parseInput } from "../parseInput.ts";
import type { UserCommand } from "./commands.ts";
import type { UserState } from "./state.ts";

const userInput = z.object({ userName: nameSchema });
const tokenInput = z.object({ tokenName: nameSchema, expiresAt: timestampSchema.nullable() });

export const decide = (
  command: UserCommand,
  state: UserState,
): Result<UserEvent[], DomainError> => {
  if (command.type === "CreateUser") {
    if (state.status !== "empty") {
      return fail("user_already_exists", `user ${command.userId} already exists`);
    }
    return parseInput(userInput, command).map(({ userName }) => [
      {
        type: "UserCreated",
        data: { userId: command.userId, userName, isAdmin: command.isAdmin, at: command.at },
      },
    ]);
  }

  if (state.status !== "active") return fail("user_not_found", `user ${command.userId} not found`);

  switch (command.type) {
    case "IssueUserToken": {
      if (state.tokens[command.tokenId] !== undefined) {
        return fail("token_already_exists", `token ${command.tokenId} already exists`);
      }
      return parseInput(tokenInput, command).andThen(({ tokenName, expiresAt }) => {
        if (expiresAt !== null && Date.parse(expiresAt) <= Date.parse(command.at)) {
          return invalidFields("invalid_input", [
            { field: "expiresAt", message: "must be in the future" },
          ]);
        }
        const { userId, tokenId, tokenHash, readOnly, at } = command;
        return ok<UserEvent[]>([
          {
            type: "UserTokenIssued",
            data: { userId, tokenId, tokenName, tokenHash, readOnly, expiresAt, at },
          },
        ]);
      });
    }
    case "RevokeUserToken": {
      // Revoking twice answers like an unknown token: DELETE of a gone resource.
      if (state.tokens[command.tokenId]?.status !== "active") {
        return fail("token_not_found", `token ${command.tokenId} not found`);
      }
      return ok([
        {
          type: "UserTokenRevoked",
          data: { userId: state.userId, tokenId: command.tokenId, at: command.at },
        },
      ]);
    }
    default:
      return assertNever(command);
  }
};
