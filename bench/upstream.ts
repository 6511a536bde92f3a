/** Benchmark upstream: a small JSON answer for GET, the body length for POST. */
const payload = JSON.stringify({ ok: true, items: [1, 2, 3], note: "benchmark upstream" });

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    if (request.method === "POST") {
      const body = await request.arrayBuffer();
      return Response.json({ received: body.byteLength });
    }
    return new Response(payload, { headers: { "content-type": "application/json" } });
  },
});
console.log(JSON.stringify({ port: server.port }));
export {};
