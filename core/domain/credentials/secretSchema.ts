import { ok, type Result } from "neverthrow";
import * as z from "zod";
import { fail, invalidFields, type DomainError } from "../errors.ts";
import type { AuthType, CredentialType } from "../events.ts";
import { timestampSchema } from "../fields.ts";
import { headerValueProblem, isReservedHeaderName } from "../httpSyntax.ts";
import { toFieldIssues } from "../parseInput.ts";
import {
  basicUsername,
  encodedValue,
  endpointURL,
  headerMap,
  headerValue,
  queryMap,
  schemePrefix,
  tokenName,
} from "./secretFields.ts";

/**
 * The secret a credential may carry, for each (credentialType, authType)
 * pair of spec §2, and the parser the API runs before a secret is hashed or
 * sealed.
 */

export const DEFAULT_KEY_NAME = "X-API-Key";
export const DEFAULT_BEARER_PREFIX = "Bearer";
/** A supplied proxy key shorter than this is guessable. */
export const MIN_PROXY_KEY_LENGTH = 16;

export type SecretValue = string | Readonly<Record<string, string>>;

export type ParsedSecret = {
  credentialType: CredentialType;
  authType: AuthType;
  /** Fields that are not secret, defaults applied: keyName, in, prefix, username, tokenUrl, … */
  public: Record<string, string>;
  /** Values to hash (proxy side) or seal (target side): keyValue, token, password, headers, … */
  secret: Record<string, SecretValue>;
  /** Every field name in display order; custom maps flattened (`headers.X-Tenant`). */
  fields: string[];
  /** A proxy apiKey given without `keyValue`: the edge generates one (at least 32 random bytes). */
  generateKeyValue: boolean;
};

/** Fields shown as they are; every other secret field is masked. */
export const publicSecretFields: ReadonlySet<string> = new Set([
  "keyName",
  "in",
  "prefix",
  "username",
  "tokenUrl",
  "clientId",
  "scope",
  "grantType",
  "expiresAt",
]);

type Rule = { fields: readonly string[]; schema: z.ZodType<Record<string, unknown>> };

const rule = (shape: Record<string, z.ZodType>): Rule => ({
  fields: Object.keys(shape),
  schema: z.object(shape),
});

const bearerRule = rule({
  token: headerValue(),
  prefix: schemePrefix().default(DEFAULT_BEARER_PREFIX),
});

const oauth2Shape = {
  accessToken: headerValue(),
  refreshToken: encodedValue().min(1, { error: "must not be empty" }).optional(),
  expiresAt: timestampSchema.optional(),
  tokenUrl: endpointURL().optional(),
  clientId: encodedValue().min(1, { error: "must not be empty" }).optional(),
  clientSecret: encodedValue().min(1, { error: "must not be empty" }).optional(),
  scope: encodedValue().optional(),
  grantType: z
    .enum(["refresh_token", "client_credentials"], {
      error: "must be refresh_token or client_credentials",
    })
    .optional(),
};

/**
 * Without `tokenUrl` the access token is a static bearer token. With it, the
 * grant is the one named, or the one the given fields allow; either way the
 * fields it needs must be there, so a credential never stops working later
 * for want of one.
 */
const oauth2Rule: Rule = {
  fields: Object.keys(oauth2Shape),
  schema: z
    .object(oauth2Shape)
    .superRefine((secret, ctx) => {
      const issue = (field: string, message: string) =>
        ctx.addIssue({ code: "custom", message, path: [field] });
      if (secret.tokenUrl === undefined) {
        if (secret.grantType !== undefined) issue("grantType", "needs tokenUrl");
        return;
      }
      const grant = secret.grantType ?? inferGrant(secret);
      if (grant === "refresh_token" && secret.refreshToken === undefined) {
        issue("refreshToken", "is required to refresh the access token");
      }
      if (grant === "client_credentials") {
        if (secret.clientId === undefined) issue("clientId", "is required for client_credentials");
        if (secret.clientSecret === undefined) {
          issue("clientSecret", "is required for client_credentials");
        }
      }
    })
    .transform((secret) =>
      secret.tokenUrl === undefined
        ? secret
        : { ...secret, grantType: secret.grantType ?? inferGrant(secret) },
    ),
};

const inferGrant = (secret: { refreshToken?: string }) =>
  secret.refreshToken !== undefined ? "refresh_token" : "client_credentials";

const customShape = { headers: headerMap().optional(), query: queryMap().optional() };

const customRule: Rule = {
  fields: Object.keys(customShape),
  schema: z.object(customShape).superRefine((secret, ctx) => {
    const entries =
      Object.keys(secret.headers ?? {}).length + Object.keys(secret.query ?? {}).length;
    if (entries === 0) {
      ctx.addIssue({
        code: "custom",
        message: "must set at least one header or query parameter",
        path: ["headers"],
      });
    }
  }),
};

const targetApiKeyShape = {
  keyValue: encodedValue().min(1, { error: "must not be empty" }),
  keyName: tokenName().default(DEFAULT_KEY_NAME),
  in: z.enum(["header", "query"], { error: "must be header or query" }).default("header"),
};

/** A query value is percent-encoded when sent; a header value goes as it is. */
const targetApiKeyRule: Rule = {
  fields: Object.keys(targetApiKeyShape),
  schema: z.object(targetApiKeyShape).superRefine((secret, ctx) => {
    const problem = secret.in === "header" ? headerValueProblem(secret.keyValue) : null;
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem, path: ["keyValue"] });
    // The same refusal as for custom headers: these frame or route the request.
    if (secret.in === "header" && isReservedHeaderName(secret.keyName))
      ctx.addIssue({
        code: "custom",
        message: "must not be a header the proxy sets itself (Host, Content-Length, Connection, …)",
        path: ["keyName"],
      });
  }),
};

const rules: Record<CredentialType, Partial<Record<AuthType, Rule | "not_supported">>> = {
  proxy: {
    apiKey: rule({
      keyValue: headerValue()
        .min(MIN_PROXY_KEY_LENGTH, { error: `must be at least ${MIN_PROXY_KEY_LENGTH} characters` })
        .optional(),
      keyName: tokenName()
        .refine((name) => !isReservedHeaderName(name), {
          error: "must not be a header the proxy sets itself (Host, Content-Length, Connection, …)",
        })
        .default(DEFAULT_KEY_NAME),
    }),
    bearer: bearerRule,
    basicAuth: rule({
      username: basicUsername(),
      password: encodedValue().min(1, { error: "must not be empty" }),
    }),
    jwtVerify: "not_supported",
  },
  target: {
    apiKey: targetApiKeyRule,
    bearer: bearerRule,
    // Some APIs take the key as username and an empty password.
    basicAuth: rule({ username: basicUsername(), password: encodedValue() }),
    oauth2: oauth2Rule,
    custom: customRule,
    none: rule({}),
  },
};

const ruleFor = (credentialType: CredentialType, authType: AuthType): Result<Rule, DomainError> => {
  const byType = Object.hasOwn(rules, credentialType) ? rules[credentialType] : {};
  const found = Object.hasOwn(byType, authType) ? byType[authType] : undefined;
  if (found === "not_supported") {
    return fail(
      "auth_type_not_supported",
      `authType ${authType} is not supported yet for ${credentialType} credentials`,
      { field: "authType" },
    );
  }
  if (found === undefined) {
    return fail(
      "auth_type_not_allowed",
      `authType ${String(authType)} is not allowed for ${String(credentialType)} credentials`,
      { field: "authType" },
    );
  }
  return ok(found);
};

/** Whether a credential of this type may authenticate this way (spec §2 table). */
export const checkAuthType = (
  credentialType: CredentialType,
  authType: AuthType,
): Result<void, DomainError> => ruleFor(credentialType, authType).map(() => undefined);

/**
 * Validates and normalises a credential's `secret` body: unknown fields are
 * refused by name (a mistyped field must never be dropped), defaults are
 * applied, and the result is split into what may be shown and what must be
 * hashed or sealed.
 */
export const parseSecret = (
  credentialType: CredentialType,
  authType: AuthType,
  input: unknown,
): Result<ParsedSecret, DomainError> =>
  ruleFor(credentialType, authType).andThen((found) => {
    const body = input ?? {};
    if (typeof body !== "object" || Array.isArray(body)) {
      return invalidFields("invalid_secret", [{ field: "secret", message: "must be an object" }]);
    }

    const unknown = Object.keys(body).filter((name) => !found.fields.includes(name));
    if (unknown.length > 0) {
      // Every bad field is named: the known ones are checked too.
      const allowed = found.fields.join(", ") || "none";
      const known = Object.fromEntries(
        Object.entries(body).filter(([name]) => found.fields.includes(name)),
      );
      const checked = found.schema.safeParse(known);
      const fields = unknown.map((name) => `secret.${name}`);
      const issues = [
        ...fields.map((field) => ({
          field,
          message: `is not a field of a ${credentialType} ${authType} secret (allowed: ${allowed})`,
        })),
        ...(checked.success ? [] : toFieldIssues(checked.error.issues, "secret")),
      ];
      return fail(
        "secret_fields_unknown",
        `unknown field(s) in secret: ${unknown.join(", ")} (allowed for ${credentialType} ${authType}: ${allowed})`,
        { field: fields[0], fields, issues },
      );
    }

    const parsed = found.schema.safeParse(body);
    if (!parsed.success) {
      return invalidFields("invalid_secret", toFieldIssues(parsed.error.issues, "secret"));
    }

    return ok(split(credentialType, authType, found.fields, parsed.data));
  });

const split = (
  credentialType: CredentialType,
  authType: AuthType,
  order: readonly string[],
  values: Record<string, unknown>,
): ParsedSecret => {
  const parsed: ParsedSecret = {
    credentialType,
    authType,
    public: {},
    secret: {},
    fields: [],
    generateKeyValue: false,
  };

  for (const name of order) {
    const value = values[name];
    if (typeof value === "string") {
      if (publicSecretFields.has(name)) parsed.public[name] = value;
      else parsed.secret[name] = value;
      parsed.fields.push(name);
    } else if (typeof value === "object" && value !== null) {
      const map = value as Record<string, string>;
      if (Object.keys(map).length === 0) continue;
      parsed.secret[name] = map;
      parsed.fields.push(...Object.keys(map).map((key) => `${name}.${key}`));
    }
  }

  if (credentialType === "proxy" && authType === "apiKey" && parsed.secret.keyValue === undefined) {
    parsed.generateKeyValue = true;
    parsed.fields.unshift("keyValue");
  }
  return parsed;
};
