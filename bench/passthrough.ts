/**
 * The baseline Ferry is measured against: a bare Bun server that forwards
 * every request to the upstream with `fetch`, doing nothing else.
 */
const upstream = process.argv[2]!;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    const response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      decompress: false,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  },
});
console.log(JSON.stringify({ port: server.port }));
export {};
