import { err, type Err } from "neverthrow";

/**
 * What a refusal means, for the apps: each app maps these four kinds to an
 * HTTP status in one table (404, 409, 422, 400). The domain never speaks
 * HTTP itself.
 */
export type ErrorKind = "not_found" | "conflict" | "unprocessable" | "invalid";

/** Every code `decide` or a domain parser can answer, with its kind. Codes are stable. */
export const errorKinds = {
  // An aggregate that was never created, was deleted, or belongs to another
  // client: the three answer alike so that ids cannot be probed (spec §2).
  client_not_found: "not_found",
  user_not_found: "not_found",
  token_not_found: "not_found",
  member_not_found: "not_found",
  credential_not_found: "not_found",
  target_not_found: "not_found",
  proxy_not_found: "not_found",
  rule_not_found: "not_found",

  client_already_exists: "conflict",
  user_already_exists: "conflict",
  token_already_exists: "conflict",
  member_already_exists: "conflict",
  credential_already_exists: "conflict",
  target_already_exists: "conflict",
  proxy_already_exists: "conflict",
  rule_already_exists: "conflict",

  last_owner: "unprocessable",
  credential_in_use: "unprocessable",
  target_in_use: "unprocessable",
  /** A proxy names a credential or target that is missing, deleted or another client's. */
  reference_not_found: "unprocessable",
  /** A proxy's proxy credential is not of type proxy, or its target credential not of type target. */
  credential_type_mismatch: "unprocessable",
  auth_type_not_supported: "unprocessable",
  /** A rotation may replace the secret, never change how it authenticates. */
  auth_type_immutable: "unprocessable",
  /** Only a proxy key can stay valid for a while after rotation. */
  grace_period_not_applicable: "unprocessable",
  /** An owner holds at most `MAX_RULES_PER_OWNER` rules (`core/domain/rules/ruleCommands.ts`). */
  too_many_rules: "unprocessable",
  /** Only a failed queued request can be replayed. */
  request_not_failed: "unprocessable",

  invalid_input: "invalid",
  invalid_secret: "invalid",
  /** A rule pattern that is not a regular expression the linear-time engine runs. */
  invalid_pattern: "invalid",
  secret_fields_unknown: "invalid",
  auth_type_not_allowed: "invalid",
} as const satisfies Record<string, ErrorKind>;

export type DomainErrorCode = keyof typeof errorKinds;

/** One bad input field: `field` is a dotted path such as `secret.keyName`. */
export type FieldIssue = { field: string; message: string };

/**
 * A refusal. `details` is for machines: validation codes carry `field` (the
 * first bad field) and `issues` (every bad field); reference codes carry
 * `field`; in-use codes carry the ids that hold the aggregate.
 */
export type DomainError = {
  code: DomainErrorCode;
  message: string;
  details?: Record<string, unknown>;
};

export const domainError = (
  code: DomainErrorCode,
  message: string,
  details?: Record<string, unknown>,
): DomainError => (details === undefined ? { code, message } : { code, message, details });

/** `err(domainError(…))`, typed so that it fits any `Result<T, DomainError>`. */
export const fail = (
  code: DomainErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Err<never, DomainError> => err(domainError(code, message, details));

/** Refusal for input that breaks a field rule, naming every bad field. */
export const invalidFields = (
  code: "invalid_input" | "invalid_secret" | "invalid_pattern",
  issues: FieldIssue[],
): Err<never, DomainError> => {
  const fields = [...new Set(issues.map((issue) => issue.field))];
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  return fail(code, `invalid ${fields.join(", ")} (${summary})`, { field: fields[0], issues });
};
