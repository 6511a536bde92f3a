import { Elysia } from "elysia";
import type { Server } from "bun";
import { createForwarder, type Forward } from "./forwardRequest.ts";
import { logFields } from "./logFields.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse } from "./proxyErrors.ts";
import { createAsyncSubmitter } from "./submitAsync.ts";

const HEALTHY = JSON.stringify({ status: "ok" });

/**
 * The proxy process's HTTP app: `ANY /api/{proxyId}/{path…}` (also
 * `/api/{proxyId}` and `/api/{proxyId}/`), the queued `/async/{proxyId}/…`
 * and `GET /health`.
 *
 * Listening, the forward path is a native route of Bun's server (Elysia's
 * `serve.routes`), so a proxied request never passes through Elysia's
 * per-request context, routing and response mapping: on the hot path that
 * costs about as much as the forwarder's own work. The same forwarder is also
 * an Elysia route, for `app.handle` and `app.fetch`; it declares
 * `parse: "none"` so Elysia never reads the body. Either way the answer is the
 * forwarder's `Response` as it is: status, repeated headers and streamed body.
 * Elysia's own answer to HEAD (a GET run whose body is counted) applies only
 * to GET routes, not to these.
 *
 * @example
 * ```ts
 * const app = createProxyApp({ table, hashSecret, record, logger });
 * const server = await startProxyServer({ port: 4001, hostname: "127.0.0.1", app });
 * ```
 */
export function createProxyApp(deps: ProxyDeps) {
  // A failure here is a bug, never an expected outcome; its message may
  // quote a URL, so only its name is logged.
  const guarded =
    (handler: Forward, what: string) =>
    (request: Request, server: Server<unknown> | null): Promise<Response> =>
      handler(request, server).catch((error: unknown) => {
        const cause = error instanceof Error ? error.name : typeof error;
        deps.logger.error({ [logFields.cause]: cause }, `${what} failed`);
        return errorResponse("internal_error", null);
      });
  const forward = guarded(createForwarder(deps), "forward path");
  const submit = guarded(createAsyncSubmitter(deps), "queued submission");

  // The Elysia route reads the server from the app, not from the handler's
  // context: asking Elysia's context for `server` defines a property per request.
  const app = new Elysia({
    name: "ferry-proxy",
    serve: {
      routes: {
        "/api/*": (request, server) => forward(request, server),
        "/async/*": (request, server) => submit(request, server),
      },
    },
  });
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
    .all("/api/*", ({ request }) => forward(request, app.server), { parse: "none" })
    .all("/async/*", ({ request }) => submit(request, app.server), { parse: "none" });
}

export type ProxyApp = ReturnType<typeof createProxyApp>;
