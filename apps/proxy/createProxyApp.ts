import { Elysia } from "elysia";
import { createForwarder } from "./forwardRequest.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse } from "./proxyErrors.ts";

const HEALTHY = JSON.stringify({ status: "ok" });

/**
 * The proxy process's HTTP app: `ANY /api/{proxyId}/{path…}` (also
 * `/api/{proxyId}` and `/api/{proxyId}/`) and `GET /health`.
 *
 * The forward route declares `parse: "none"` so Elysia never reads the body
 * (it streams upstream untouched), and it answers with a `Response` that
 * Elysia passes through as it is: status, repeated headers and the streamed
 * body are the forwarder's alone. Elysia's own answer to a HEAD (a GET run
 * whose body is counted) applies only to GET routes, not to this one.
 *
 * @example
 * ```ts
 * const app = createProxyApp({ table, hashSecret, record, logger });
 * const server = await startProxyServer({ port: 4001, hostname: "127.0.0.1", app });
 * ```
 */
export function createProxyApp(deps: ProxyDeps) {
  const forward = createForwarder(deps);

  // The server is read from the app, not from the handler's context: asking
  // Elysia's context for `server` defines a property on every request.
  const app = new Elysia({ name: "ferry-proxy" });
  return app
    .onError(({ code }) =>
      code === "NOT_FOUND"
        ? errorResponse("not_found", null)
        : errorResponse("internal_error", null),
    )
    .get(
      "/health",
      () => new Response(HEALTHY, { headers: { "content-type": "application/json" } }),
    )
    .all("/api/*", ({ request }) => forward(request, app.server), { parse: "none" });
}

export type ProxyApp = ReturnType<typeof createProxyApp>;
