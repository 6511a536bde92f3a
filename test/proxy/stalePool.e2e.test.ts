/**
 * Field case C17: the upstream closes a kept-alive connection just as the
 * proxy reuses it. A GET that fails there before any byte of an answer is
 * sent again on a fresh connection (Bun's fetch does so itself); a POST is
 * never sent twice behind the caller's back, it fails as a 502 with its code.
 */
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CALLER_AUTH, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";

/**
 * An upstream that closes kept-alive connections. By default it answers the
 * first request of each connection and drops the connection without a word
 * on the second: what a keep-alive timer firing as that request arrives
 * looks like from the proxy. With `idleCloseMs` it answers every request and
 * closes a connection left idle that long, as a real keep-alive timer does.
 */
class ClosingUpstream {
  /** `connection#request METHOD path`, in arrival order. */
  readonly seen: string[] = [];
  connections = 0;
  constructor(private readonly idleCloseMs?: number) {}

  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    const connection = ++this.connections;
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    let requests = 0;
    let buffered = "";
    let idle: ReturnType<typeof setTimeout> | undefined;
    socket.on("error", () => undefined);
    socket.on("data", (data) => {
      buffered += data.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        buffered = buffered.slice(end + 4 + length);
        const [method, target] = head.split(" ");
        this.seen.push(`${connection}#${++requests} ${method} ${target}`);
        clearTimeout(idle);
        if (requests > 1 && this.idleCloseMs === undefined) {
          socket.destroy();
          return;
        }
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
        if (this.idleCloseMs !== undefined) idle = setTimeout(() => socket.end(), this.idleCloseMs);
      }
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const caller = { authorization: CALLER_AUTH.slice("Authorization: ".length) };

describe("C17: a pooled connection the upstream just closed", () => {
  let upstream: ClosingUpstream;
  let proxy: RunningProxy;

  beforeAll(async () => {
    upstream = new ClosingUpstream();
    proxy = await startProxy([fieldCaseRoute(await upstream.listen())]);
  });
  afterAll(async () => {
    await proxy.stop();
    await upstream.close();
  });
  beforeEach(() => {
    proxy.records.length = 0;
  });

  it("sends a GET again on a fresh connection, once", async () => {
    const first = await fetch(`${proxy.url}/api/P/ping`, { headers: caller });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await fetch(`${proxy.url}/api/P/ping`, { headers: caller });
    expect(second.status).toBe(200);
    expect(await second.text()).toBe("ok");
    // The reused connection took the second GET and dropped it; a fresh one answered.
    expect(upstream.seen.slice(-2)).toEqual(["1#2 GET /ping", "2#1 GET /ping"]);
    expect(proxy.records.map((r) => [r.status, r.responseStatus])).toEqual([
      ["completed", 200],
      ["completed", 200],
    ]);
  });

  it("sends a PUT, idempotent too, again with its body", async () => {
    // The last connection has answered once: the next request on it is dropped.
    const before = upstream.seen.length;
    const answer = await fetch(`${proxy.url}/api/P/orders/7`, {
      method: "PUT",
      headers: { ...caller, "content-type": "text/plain" },
      body: "order seven",
    });
    expect(answer.status).toBe(200);
    await answer.arrayBuffer();
    expect(upstream.seen.slice(before)).toEqual(["2#2 PUT /orders/7", "3#1 PUT /orders/7"]);
  });

  it.each(["POST", "PATCH"])(
    "never sends a %s twice: it fails as a 502 with its code",
    async (method) => {
      const before = upstream.seen.length;
      const answer = await fetch(`${proxy.url}/api/P/orders`, {
        method,
        headers: { ...caller, "content-type": "text/plain" },
        body: "one order",
      });
      expect(answer.status).toBe(502);
      expect((await answer.json()).error.code).toBe("upstream_unreachable");
      const reused = upstream.seen[before]!.split(" ")[0];
      expect(upstream.seen.slice(before)).toEqual([`${reused} ${method} /orders`]);
      expect(reused).toMatch(/#2$/);
      expect(proxy.records.map((r) => [r.method, r.status, r.code])).toEqual([
        [method, "failed", "upstream_unreachable"],
      ]);
      // The next request opens a fresh connection, which answers once.
      const fresh = await fetch(`${proxy.url}/api/P/ping`, { headers: caller });
      expect(fresh.status).toBe(200);
      await fresh.arrayBuffer();
    },
  );
});

describe("C17 in real time: an upstream whose keep-alive ends as the next GET leaves", () => {
  let upstream: ClosingUpstream;
  let proxy: RunningProxy;
  const KEEP_ALIVE_MS = 150;

  beforeAll(async () => {
    upstream = new ClosingUpstream(KEEP_ALIVE_MS);
    proxy = await startProxy([fieldCaseRoute(await upstream.listen())]);
  });
  afterAll(async () => {
    await proxy.stop();
    await upstream.close();
  });

  it("answers every GET sent at the upstream's keep-alive interval, give or take a little", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const answer = await fetch(`${proxy.url}/api/P/ping`, { headers: caller });
      await answer.arrayBuffer();
      statuses.push(answer.status);
      // Around the moment the upstream closes the idle connection.
      await Bun.sleep(KEEP_ALIVE_MS - 8 + (i % 17));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // The upstream did close its idle connections all along: about one in
    // two GETs left after its timer had run out.
    expect(upstream.connections).toBeGreaterThan(10);
  }, 30_000);
});
