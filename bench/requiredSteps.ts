/**
 * The floor under Ferry's forward path, for `forward.bench.ts`: a bare Bun
 * server that does, per request, only what spec §4 asks of every forwarded
 * request beyond the pass-through's one `fetch`, with none of Ferry's own
 * code: a copy of the caller's headers without its credential, the target
 * credential and the forwarding headers (the peer address among them), an
 * abortable upstream call with a timeout, and a small answer read whole.
 * No routing, authentication, path canonicalisation, rules or record.
 */
const upstream = process.argv[2]!;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    const url = new URL(request.url);
    const headers = new Headers();
    for (const [name, value] of request.headers)
      if (name !== "authorization" && name !== "host" && name !== "connection")
        headers.append(name, value);
    headers.set("x-api-key", "tk_bench_upstream_key");
    const chain = headers.get("x-forwarded-for");
    const address = server.requestIP(request)?.address ?? "";
    headers.set("x-forwarded-for", chain === null ? address : `${chain}, ${address}`);
    if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
    if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", url.host);
    headers.set("x-request-id", "req_01JBENCHBENCHBENCHBENCHBEN");

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    const init: BunFetchRequestInit & { duplex: "half" } = {
      method: request.method,
      headers,
      body: request.body,
      duplex: "half",
      redirect: "manual",
      decompress: false,
      signal: abort.signal,
    };
    try {
      const response = await fetch(
        upstream + url.pathname.slice("/api/prx_bench".length) + url.search,
        init,
      );
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, headers: response.headers });
    } finally {
      clearTimeout(timer);
    }
  },
});
console.log(JSON.stringify({ port: server.port }));
export {};
