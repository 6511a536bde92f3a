/**
 * `/openapi.json` and a browsable reference at `/docs`, generated from the
 * same zod schemas the routes validate with, so the document cannot drift
 * from what the API accepts.
 */
import { Elysia } from "elysia";
import * as z from "zod";
import { createCredentialInput, updateCredentialInput } from "./routes/credentials.ts";
import { createProxyInput, updateProxyInput } from "./routes/proxies.ts";
import { ruleSchema } from "../../core/rules/ruleSchema.ts";
import { createTargetInput, updateTargetInput } from "./routes/targets.ts";

type Operation = {
  method: string;
  path: string;
  summary: string;
  body?: z.ZodType;
  status?: number;
};

const clientBody = z.object({ clientName: z.string() });
const tokenBody = z.object({
  tokenName: z.string().optional(),
  expiresAt: z.string().nullable().optional(),
  readOnly: z.boolean().optional(),
});
const memberBody = z.object({ userId: z.string(), role: z.enum(["owner", "admin", "member"]) });

const c = "/clients/{clientId}";

/** The same five rule routes under each kind of owner. */
const ruleOperations = (segment: string, param: string, owner: string): Operation[] => {
  const rules = `${c}/${segment}/{${param}}/rules`;
  return [
    { method: "get", path: rules, summary: `List a ${owner}'s rules, highest priority first` },
    {
      method: "post",
      path: rules,
      summary: `Add a rule to a ${owner}; answers warnings for a rule that matches every request`,
      body: ruleSchema,
      status: 201,
    },
    { method: "get", path: `${rules}/{ruleId}`, summary: `Read a ${owner}'s rule` },
    {
      method: "put",
      path: `${rules}/{ruleId}`,
      summary: `Change a ${owner}'s rule (only the fields given; null clears one)`,
      body: ruleSchema.partial(),
    },
    {
      method: "delete",
      path: `${rules}/{ruleId}`,
      summary: `Remove a ${owner}'s rule`,
      status: 204,
    },
  ];
};
const operations: Operation[] = [
  {
    method: "get",
    path: "/clients",
    summary: "List the clients you are a member of (?clientName=)",
  },
  {
    method: "post",
    path: "/clients",
    summary: "Create a client; you become its owner",
    body: clientBody,
    status: 201,
  },
  { method: "get", path: c, summary: "Read a client" },
  { method: "put", path: c, summary: "Rename a client", body: clientBody.partial() },
  { method: "delete", path: c, summary: "Delete a client and destroy its data key", status: 204 },
  { method: "get", path: `${c}/members`, summary: "List members" },
  { method: "post", path: `${c}/members`, summary: "Add a member", body: memberBody, status: 201 },
  { method: "delete", path: `${c}/members/{userId}`, summary: "Remove a member", status: 204 },
  {
    method: "get",
    path: `${c}/credentials`,
    summary: "List credentials (?credentialName=&credentialType=)",
  },
  {
    method: "post",
    path: `${c}/credentials`,
    summary: "Create a credential; a proxy credential's secret is answered once",
    body: createCredentialInput,
    status: 201,
  },
  {
    method: "get",
    path: `${c}/credentials/{credentialId}`,
    summary: "Read a credential (secret masked)",
  },
  {
    method: "put",
    path: `${c}/credentials/{credentialId}`,
    summary: "Rename, or rotate the secret (gracePeriodSeconds keeps an old proxy key valid)",
    body: updateCredentialInput,
  },
  {
    method: "delete",
    path: `${c}/credentials/{credentialId}`,
    summary: "Delete a credential no proxy uses",
    status: 204,
  },
  { method: "get", path: `${c}/targets`, summary: "List targets (?targetName=)" },
  {
    method: "post",
    path: `${c}/targets`,
    summary: "Create a target",
    body: createTargetInput,
    status: 201,
  },
  { method: "get", path: `${c}/targets/{targetId}`, summary: "Read a target" },
  {
    method: "put",
    path: `${c}/targets/{targetId}`,
    summary: "Update a target",
    body: updateTargetInput,
  },
  {
    method: "delete",
    path: `${c}/targets/{targetId}`,
    summary: "Delete a target no proxy uses",
    status: 204,
  },
  { method: "get", path: `${c}/proxies`, summary: "List proxies (?proxyName=)" },
  {
    method: "post",
    path: `${c}/proxies`,
    summary: "Create a proxy; answers baseURL and asyncURL",
    body: createProxyInput,
    status: 201,
  },
  { method: "get", path: `${c}/proxies/{proxyId}`, summary: "Read a proxy" },
  {
    method: "put",
    path: `${c}/proxies/{proxyId}`,
    summary: "Update a proxy",
    body: updateProxyInput,
  },
  { method: "delete", path: `${c}/proxies/{proxyId}`, summary: "Delete a proxy", status: 204 },
  {
    method: "post",
    path: `${c}/proxies/{proxyId}/explain`,
    summary:
      "What the proxy would do with a sample request { method, path, headers?, query? }; calls nothing upstream",
  },
  ...ruleOperations("proxies", "proxyId", "proxy"),
  ...ruleOperations("credentials", "credentialId", "credential"),
  ...ruleOperations("targets", "targetId", "target"),
  ...(
    [
      ["credentials", "credentialId", "credential"],
      ["targets", "targetId", "target"],
      ["proxies", "proxyId", "proxy"],
    ] as const
  ).map(([segment, param, owner]) => ({
    method: "get",
    path: `${c}/${segment}/{${param}}/history`,
    summary: `Every event of a ${owner} and its rules, with actor and time, never a secret; ?asOf= answers the ${owner} as it stood then`,
  })),
  {
    method: "get",
    path: `${c}/requests`,
    summary:
      "Request log, newest first: ?proxyId=&startDate=&endDate=&status=&limit=&cursor= → { data, nextCursor }",
  },
  {
    method: "get",
    path: `${c}/requests/{requestId}`,
    summary:
      "One request record; a queued one adds attemptHistory, nextAttemptAt, failureReason and the kept response",
  },
  {
    method: "post",
    path: `${c}/requests/{requestId}/replay`,
    summary: "Queue a failed queued request again, with a fresh retry window",
    status: 202,
  },
  {
    method: "get",
    path: `${c}/queue`,
    summary: "Queued requests: depth by status, the oldest due request, outcomes (?proxyId=)",
  },
  {
    method: "get",
    path: `${c}/proxies/{proxyId}/requests`,
    summary: "One proxy's request log: ?processedAfter=&processedBefore=&status=&limit=&cursor=",
  },
  {
    method: "get",
    path: `${c}/usage`,
    summary: "Usage totals, per proxy and per hour or day: ?proxyId=&startDate=&endDate=&groupBy=",
  },
  { method: "get", path: "/users/me", summary: "The user behind the token" },
  {
    method: "post",
    path: "/users",
    summary: "Create a user with a first token (administrators)",
    body: z.object({ userName: z.string() }),
    status: 201,
  },
  { method: "get", path: "/users/me/tokens", summary: "List your tokens" },
  {
    method: "post",
    path: "/users/me/tokens",
    summary: "Issue a token; answered once",
    body: tokenBody,
    status: 201,
  },
  { method: "delete", path: "/users/me/tokens/{tokenId}", summary: "Revoke a token", status: 204 },
];

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        details: {
          description:
            "On a 400, the bad fields, one entry each; on a 422, what broke the domain's rule.",
          oneOf: [
            {
              type: "array",
              items: {
                type: "object",
                properties: { field: { type: "string" }, message: { type: "string" } },
                required: ["field", "message"],
              },
            },
            { type: "object" },
          ],
        },
      },
      required: ["code", "message"],
    },
  },
};

const buildDocument = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      security: [{ userToken: [] }],
      parameters,
      ...(op.body && {
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: z.toJSONSchema(op.body, { io: "input", unrepresentable: "any" }),
            },
          },
        },
      }),
      responses: {
        [String(op.status ?? 200)]: { description: "success" },
        default: { description: "error", content: { "application/json": { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Ferry Core API",
      version: "0.1.0",
      description: "Every route also answers under the /api prefix.",
    },
    components: {
      securitySchemes: {
        userToken: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "u-… or Bearer u-…",
        },
      },
    },
    paths,
  };
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);

const buildPage = () =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Ferry Core API</title>
<style>body{font:15px system-ui;margin:2rem auto;max-width:60rem}code{background:#f3f3f3;padding:.1rem .3rem}td{padding:.3rem .6rem;border-bottom:1px solid #eee}</style></head>
<body><h1>Ferry Core API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: u-…</code>.</p>
<table>${operations
    .map(
      (op) =>
        `<tr><td><code>${op.method.toUpperCase()}</code></td><td><code>${escapeHtml(op.path)}</code></td><td>${escapeHtml(op.summary)}</td></tr>`,
    )
    .join("")}</table></body></html>`;

export const openApiRoutes = () => {
  const document = buildDocument();
  const page = buildPage();
  return new Elysia()
    .get("/openapi.json", () => document)
    .get(
      "/docs",
      () => new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } }),
    );
};
