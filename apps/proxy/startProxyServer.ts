import type { ProxyApp } from "./createProxyApp.ts";

export type ProxyServer = {
  /** `http://{hostname}:{port}` with the port actually bound. */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes. */
  stop(): Promise<void>;
};

/**
 * Listens with the proxy app on Bun's server. Port 0 picks a free port.
 * `drainMs` bounds how long `stop` waits for in-flight requests (an event
 * stream may never end on its own) before it closes what is left.
 *
 * Error pages are off (`development: false`): the proxy answers its own JSON
 * errors and never Bun's HTML page with a stack. `reusePort` is off so that a
 * second process on the same port fails to start instead of sharing it.
 *
 * @example
 * ```ts
 * const proxy = await startProxyServer({ port: 0, hostname: "127.0.0.1", app });
 * await fetch(`${proxy.url}/health`);
 * await proxy.stop();
 * ```
 */
export async function startProxyServer(options: {
  port: number;
  hostname: string;
  app: ProxyApp;
  drainMs?: number;
  /** Largest request body accepted; Bun answers 413 above it. */
  maxRequestBodySize?: number;
}): Promise<ProxyServer> {
  const { port, hostname, app, drainMs = 10_000, maxRequestBodySize } = options;
  app.listen({
    port,
    hostname,
    development: false,
    reusePort: false,
    ...(maxRequestBodySize !== undefined && { maxRequestBodySize }),
  });
  const server = app.server;
  if (server === null) throw new Error("the proxy server did not start");

  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${server.port}`,
    async stop() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = server.stop(false).then(() => true);
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainMs);
      });
      const done = await Promise.race([drained, late]);
      clearTimeout(timer);
      if (!done) await server.stop(true);
      app.server = null;
    },
  };
}
