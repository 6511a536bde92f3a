/**
 * A plain upstream for flow tests: answers every request with what it
 * received (method, path, query, headers) and keeps the list.
 */
export type Seen = {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: string;
};

export const startEchoUpstream = async () => {
  const seen: Seen[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = request.url;
      const afterHost = url.slice(url.indexOf("/", url.indexOf("//") + 2));
      const q = afterHost.indexOf("?");
      const record: Seen = {
        method: request.method,
        path: q === -1 ? afterHost : afterHost.slice(0, q),
        query: q === -1 ? "" : afterHost.slice(q + 1),
        headers: [...request.headers],
        body: await request.text(),
      };
      seen.push(record);
      if (record.path.endsWith("/slow")) await Bun.sleep(1500);
      return Response.json(record, { headers: { "x-upstream": "echo" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
};
