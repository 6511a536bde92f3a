/**
 * The Core API (spec §3): one Elysia instance per feature, mounted at the
 * root and again under `/api`, behind one error handler that speaks the
 * error envelope.
 */
import { Elysia } from "elysia";
import type { CoreApiDeps } from "./context.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { openApiRoutes } from "./openapi.ts";
import { clientRoutes } from "./routes/clients.ts";
import { credentialRoutes } from "./routes/credentials.ts";
import { explainRoutes } from "./routes/explain.ts";
import { historyRoutes } from "./routes/history.ts";
import { proxyRoutes } from "./routes/proxies.ts";
import { requestRoutes } from "./routes/requests.ts";
import { asyncRequestRoutes } from "./routes/asyncRequests.ts";
import { ruleRoutes } from "./routes/rules.ts";
import { targetRoutes } from "./routes/targets.ts";
import { usageRoutes } from "./routes/usage.ts";
import { userRoutes } from "./routes/users.ts";

const features = (deps: CoreApiDeps, prefix: string) =>
  new Elysia({ prefix })
    .use(clientRoutes(deps))
    .use(credentialRoutes(deps))
    .use(targetRoutes(deps))
    .use(proxyRoutes(deps))
    .use(explainRoutes(deps))
    .use(historyRoutes(deps))
    .use(ruleRoutes(deps))
    .use(requestRoutes(deps))
    .use(asyncRequestRoutes(deps))
    .use(usageRoutes(deps))
    .use(userRoutes(deps));

export const createCoreApi = (deps: CoreApiDeps) =>
  new Elysia()
    .onError(({ code, error, request }) => {
      if (error instanceof ApiError)
        return errorResponse(error.status, error.code, error.message, error.details);
      switch (code) {
        case "NOT_FOUND":
          return errorResponse(404, "route_not_found", "no such route");
        case "PARSE":
          return errorResponse(400, "malformed_json", "the body could not be parsed");
        case "VALIDATION":
          return errorResponse(400, "invalid_input", "the request is not valid");
        default:
          deps.logger.error(
            { err: error instanceof Error ? error.stack : String(error), method: request.method },
            "unhandled error in the Core API",
          );
          return errorResponse(500, "internal_error", "internal error");
      }
    })
    // Postgres text cannot hold U+0000: no id, name or filter can contain it,
    // so a path or query that does is refused before any route reads it.
    .onRequest(({ request }) => {
      if (holdsNul(request.url))
        return errorResponse(400, "invalid_input", "a path or query may not contain %00");
    })
    .get("/health", () => ({ status: "ok" }))
    .use(openApiRoutes())
    .use(features(deps, ""))
    .use(features(deps, "/api"));

/** Whether a URL's path or query carries a NUL, percent-encoded or not. */
const holdsNul = (url: string): boolean => url.includes("\u0000") || /%00/i.test(url);

/**
 * Elysia reads a URL's path from the first `/` after its eleventh character,
 * so behind a Host of three characters or fewer (`http://api/health`) it
 * would route on the wrong part of the path. Such a request is handed on
 * under a host name long enough; nothing in the Core API reads the host.
 */
export const routable = (request: Request): Request => {
  const url = request.url;
  const pathAt = url.indexOf("/", url.indexOf("//") + 2);
  if (pathAt >= 11 || pathAt === -1) return request;
  return new Request(`http://localhost${url.slice(pathAt)}`, request);
};
