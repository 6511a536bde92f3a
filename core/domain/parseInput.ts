import { ok, type Result } from "neverthrow";
import type * as z from "zod";
import { invalidFields, type DomainError, type FieldIssue } from "./errors.ts";

/**
 * Zod issues as field issues; `prefix` roots the paths (`secret` →
 * `secret.keyName`). A field refused twice for the same reason (by its own
 * rule and by a rule of the whole object) is named once.
 */
export const toFieldIssues = (issues: z.core.$ZodIssue[], prefix?: string): FieldIssue[] => {
  const seen = new Set<string>();
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const field = [...(prefix === undefined ? [] : [prefix]), ...path].join(".") || "input";
    const key = JSON.stringify([field, issue.message]);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ field, message: issue.message }];
  });
};

/** Parses with a zod schema; a failure is an `invalid_input` naming each bad field. */
export const parseInput = <S extends z.ZodType>(
  schema: S,
  input: unknown,
): Result<z.output<S>, DomainError> => {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? ok(parsed.data)
    : invalidFields("invalid_input", toFieldIssues(parsed.error.issues));
};
