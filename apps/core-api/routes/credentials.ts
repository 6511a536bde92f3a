/**
 * Credentials (spec §2 "Credential"). Secrets are parsed, then hashed (proxy
 * side: only ever compared) or sealed under the client's data key (target
 * side: injected upstream) before any command is built, so no event ever
 * holds one in clear. A proxy credential's secret is answered once, when it
 * is created or rotated; every other answer shows it masked.
 */
import { Elysia } from "elysia";
import * as z from "zod";
import { generateProxyKey } from "../../../adapters/secrets/randomSecrets.ts";
import { credentialDecider } from "../../../core/domain/credentials/decider.ts";
import { maskSecret } from "../../../core/domain/credentials/maskSecret.ts";
import {
  parseSecret,
  type ParsedSecret,
  type SecretValue,
} from "../../../core/domain/credentials/secretSchema.ts";
import type { StoredSecret } from "../../../core/domain/events.ts";
import { streams } from "../../../core/domain/events.ts";
import { effectSchema, nameSchema, regionSchema } from "../../../core/domain/fields.ts";
import { proxiesUsing, type CredentialView } from "../../../core/projections/configView.ts";
import { newId } from "../../runtime/ids.ts";
import { clientOf, ownedBy } from "../auth.ts";
import { callerOf, created, noContent, type CoreApiDeps } from "../context.ts";
import { ApiError, fieldDetails, type FieldDetail } from "../errors.ts";
import { changeBy, domainErrorToApi } from "../execute.ts";
import { parseWith, readJsonObject, unprefix } from "../input.ts";

const credentialFields = [
  "credentialName",
  "credentialType",
  "authType",
  "region",
  "defaultEffect",
  "secret",
  "gracePeriodSeconds",
] as const;

const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export const createCredentialInput = z.object({
  credentialName: nameSchema,
  credentialType: z.enum(["proxy", "target"], { error: "must be proxy or target" }),
  authType: z.enum(["apiKey", "bearer", "basicAuth", "jwtVerify", "oauth2", "custom", "none"], {
    error: "must be one of apiKey, bearer, basicAuth, jwtVerify, oauth2, custom, none",
  }),
  region: regionSchema.default(null),
  /** What the credential's rule scope decides when none of its rules matches. */
  defaultEffect: effectSchema.default("allow"),
  secret: z.unknown().optional(),
});

export const updateCredentialInput = z.object({
  credentialName: nameSchema.optional(),
  credentialType: z.string().optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
  authType: z.string().optional(),
  secret: z.unknown().optional(),
  /** How long the previous proxy key stays valid after a rotation. */
  gracePeriodSeconds: z
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be an integer" })
    .min(0, { error: "must not be negative" })
    .max(MAX_GRACE_SECONDS, { error: `must be at most ${MAX_GRACE_SECONDS}` })
    .optional(),
});

export const presentCredential = (credential: CredentialView) => ({
  credentialId: credential.credentialId,
  clientId: credential.clientId,
  credentialName: credential.credentialName,
  credentialType: credential.credentialType,
  authType: credential.authType,
  region: credential.region,
  defaultEffect: credential.defaultEffect,
  secret: { ...maskSecret(credential.secret), fingerprint: credential.secret.fingerprint },
  secretVersion: credential.secretVersion,
  createdAt: credential.createdAt,
  updatedAt: credential.updatedAt,
});

/**
 * Hashes or seals a parsed secret. Answers what is stored and, for a proxy
 * credential, the secret in clear for the one answer that may show it.
 */
const protectSecret = async (deps: CoreApiDeps, clientId: string, parsed: ParsedSecret) => {
  const values: Record<string, SecretValue> = { ...parsed.secret };
  if (parsed.generateKeyValue) values.keyValue = generateProxyKey();

  const stored: StoredSecret = {
    fields: parsed.fields,
    public: parsed.public,
    fingerprint: deps.fingerprint(canonicalJson({ ...parsed.public, ...values })),
  };
  if (parsed.credentialType === "proxy") {
    stored.hashes = {};
    for (const [name, value] of Object.entries(values))
      if (typeof value === "string") stored.hashes[name] = deps.hash(value);
    return { stored, revealed: { ...parsed.public, ...values } };
  }
  stored.sealed = await deps.secrets.seal(clientId, values);
  return { stored, revealed: undefined };
};

/** Top-level keys sorted, so that one secret always has one fingerprint. */
const canonicalJson = (value: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));

const parsedOrThrow = (
  credentialType: CredentialView["credentialType"],
  authType: CredentialView["authType"],
  secret: unknown,
) => {
  const parsed = parseSecret(credentialType, authType, secret);
  if (parsed.isErr()) throw domainErrorToApi(parsed.error);
  return parsed.value;
};

const readCredentialBody = async (request: Request) =>
  unprefix(await readJsonObject(request), "credential", credentialFields);

/**
 * The body as `schema` reads it. When the schema refuses it but the secret
 * can still be checked (its credential and auth types are known: stored, or
 * given and not themselves at fault), the secret's faults join the answer,
 * so that one 400 names every bad field (spec §3).
 */
const parseCredentialBody = <S extends z.ZodType>(
  schema: S,
  body: Record<string, unknown>,
  kinds: { credentialType: unknown; authType: unknown; stored?: boolean },
): z.output<S> => {
  try {
    return parseWith(schema, body);
  } catch (error) {
    if (!(error instanceof ApiError) || !Array.isArray(error.details) || body.secret === undefined)
      throw error;
    const named = error.details as FieldDetail[];
    const secretAtFault = ({ field }: FieldDetail) =>
      (!kinds.stored && (field === "credentialType" || field === "authType")) ||
      field.split(".")[0] === "secret";
    if (named.some(secretAtFault)) throw error;
    const secret = parseSecret(
      kinds.credentialType as CredentialView["credentialType"],
      kinds.authType as CredentialView["authType"],
      body.secret,
    );
    if (secret.isOk()) throw error;
    const more = fieldDetails(secret.error.details, secret.error.message) as FieldDetail[];
    throw new ApiError(error.status, error.code, error.message, [...named, ...more]);
  }
};

export const credentialRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .get("/clients/:clientId/credentials", ({ request, params, query }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      const name = typeof query.credentialName === "string" ? query.credentialName : undefined;
      const type = typeof query.credentialType === "string" ? query.credentialType : undefined;
      return [...deps.live.view.credentials.values()]
        .filter((credential) => credential.clientId === client.clientId)
        .filter((credential) => name === undefined || credential.credentialName === name)
        .filter((credential) => type === undefined || credential.credentialType === type)
        .map(presentCredential);
    })
    .post(
      "/clients/:clientId/credentials",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const given = await readCredentialBody(request);
        const input = parseCredentialBody(createCredentialInput, given, {
          credentialType: given.credentialType,
          authType: given.authType,
        });
        const parsed = parsedOrThrow(input.credentialType, input.authType, input.secret);
        const { stored, revealed } = await protectSecret(deps, client.clientId, parsed);

        const credentialId = newId("credential");
        await run(streams.credential(credentialId), credentialDecider, {
          type: "CreateCredential",
          credentialId,
          clientId: client.clientId,
          credentialName: input.credentialName,
          credentialType: input.credentialType,
          authType: input.authType,
          region: input.region,
          defaultEffect: input.defaultEffect,
          secret: stored,
          at,
        });
        const body = presentCredential(deps.live.view.credentials.get(credentialId)!);
        return created(
          revealed ? { ...body, secret: { ...revealed, fingerprint: stored.fingerprint } } : body,
        );
      },
      { parse: "none" },
    )
    .get("/clients/:clientId/credentials/:credentialId", ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      return presentCredential(
        ownedBy(deps.live.view.credentials, params.credentialId, client.clientId, "credential"),
      );
    })
    .put(
      "/clients/:clientId/credentials/:credentialId",
      async ({ request, params }) => {
        const { client, at, run } = changeBy(deps, request, params.clientId);
        const credential = ownedBy(
          deps.live.view.credentials,
          params.credentialId,
          client.clientId,
          "credential",
        );
        const input = parseCredentialBody(
          updateCredentialInput,
          await readCredentialBody(request),
          {
            credentialType: credential.credentialType,
            authType: credential.authType,
            stored: true,
          },
        );
        if (
          input.credentialType !== undefined &&
          input.credentialType !== credential.credentialType
        )
          throw new ApiError(
            422,
            "credential_type_immutable",
            "a credential's credentialType cannot change; create a new credential",
            { field: "credentialType" },
          );
        if (input.authType !== undefined && input.authType !== credential.authType)
          throw new ApiError(
            422,
            "auth_type_immutable",
            "a credential's authType cannot change; create a new credential",
            {
              field: "authType",
            },
          );
        if (input.gracePeriodSeconds !== undefined && input.secret === undefined)
          throw new ApiError(400, "invalid_input", "gracePeriodSeconds needs a new secret", {
            field: "gracePeriodSeconds",
          });
        // Refused here, before the name or effect below is written: the
        // update and the rotation are two commands, and a refusal must
        // change nothing. The decider keeps the same rule.
        if ((input.gracePeriodSeconds ?? 0) > 0 && credential.credentialType !== "proxy")
          throw new ApiError(
            422,
            "grace_period_not_applicable",
            "only a proxy credential can keep its previous secret valid",
            { field: "gracePeriodSeconds" },
          );
        const parsed =
          input.secret === undefined
            ? undefined
            : parsedOrThrow(credential.credentialType, credential.authType, input.secret);
        const { credentialId } = credential;

        if (
          input.credentialName !== undefined ||
          input.region !== undefined ||
          input.defaultEffect !== undefined
        )
          await run(streams.credential(credentialId), credentialDecider, {
            type: "UpdateCredential",
            credentialId,
            clientId: client.clientId,
            changes: {
              ...(input.credentialName !== undefined && { credentialName: input.credentialName }),
              ...(input.region !== undefined && { region: input.region }),
              ...(input.defaultEffect !== undefined && { defaultEffect: input.defaultEffect }),
            },
            at,
          });

        let revealed: Record<string, unknown> | undefined;
        if (parsed) {
          const protectedSecret = await protectSecret(deps, client.clientId, parsed);
          revealed = protectedSecret.revealed;
          const grace = input.gracePeriodSeconds ?? 0;
          await run(streams.credential(credentialId), credentialDecider, {
            type: "RotateCredentialSecret",
            credentialId,
            clientId: client.clientId,
            authType: credential.authType,
            secret: protectedSecret.stored,
            previousValidUntil:
              grace > 0 ? new Date(Date.parse(at) + grace * 1000).toISOString() : null,
            at,
          });
        }
        const body = presentCredential(deps.live.view.credentials.get(credentialId)!);
        return revealed
          ? { ...body, secret: { ...revealed, fingerprint: body.secret.fingerprint } }
          : body;
      },
      { parse: "none" },
    )
    .delete("/clients/:clientId/credentials/:credentialId", async ({ request, params }) => {
      const { client, at, run } = changeBy(deps, request, params.clientId);
      const credential = ownedBy(
        deps.live.view.credentials,
        params.credentialId,
        client.clientId,
        "credential",
      );
      await run(streams.credential(credential.credentialId), credentialDecider, {
        type: "DeleteCredential",
        credentialId: credential.credentialId,
        clientId: client.clientId,
        usedByProxyIds: proxiesUsing(deps.live.view, credential.credentialId),
        at,
      });
      return noContent();
    });
