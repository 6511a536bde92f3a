/**
 * An upstream that cannot be reached: a port the test holds, on which every
 * connection is reset at once. A port that was merely free when a test began
 * can be taken meanwhile by a server of another test file running alongside
 * (it was: the "unreachable" upstream answered 200).
 */
import net from "node:net";

export type RefusingUpstream = { origin: string; port: number; close(): Promise<void> };

export async function startRefusingUpstream(): Promise<RefusingUpstream> {
  const server = net.createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
