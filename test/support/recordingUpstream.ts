/**
 * An HTTP/1.1 upstream on 127.0.0.1 that records exactly what reached it —
 * the raw request line, every header line in order with its case and its
 * duplicates, the body bytes and their SHA-256 — and answers with scripted
 * raw responses. Built on `node:net` so that nothing between the wire and the
 * test normalises a byte.
 */
import { createHash } from "node:crypto";
import net from "node:net";

export type RecordedRequest = {
  /** Which accepted connection carried it, counting from 1. */
  connection: number;
  requestLine: string;
  method: string;
  /** The request target exactly as sent. */
  target: string;
  /** The part of `target` before `?`. */
  path: string;
  /** The part of `target` after the first `?`; null without one. */
  query: string | null;
  /** Header lines as received: original case, order and duplicates. */
  headers: [name: string, value: string][];
  /** The bytes before the blank line, as received. */
  head: string;
  /** The body after transfer decoding. */
  body: Buffer;
  bodySha256: string;
  chunked: boolean;
};

export type ScriptedResponse =
  /** Written to the socket as it is. */
  | { raw: string | Uint8Array; close?: boolean }
  /**
   * A response built from parts. Without a `Content-Length` or
   * `Transfer-Encoding` among `headers`, `body` gets a `Content-Length` and
   * `chunks` a `Transfer-Encoding: chunked`; chunks are written one by one,
   * `chunkDelayMs` apart. A HEAD request gets the head only.
   */
  | {
      status: number;
      reason?: string;
      headers?: [string, string][];
      body?: string | Uint8Array;
      chunks?: (string | Uint8Array)[];
      chunkDelayMs?: number;
      close?: boolean;
    }
  /** Never answers (for timeouts). */
  | { hang: true }
  /** Closes the connection without answering. */
  | { destroy: true };

export type Responder = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

export type RecordingUpstream = {
  port: number;
  /** `http://127.0.0.1:{port}` */
  origin: string;
  requests: RecordedRequest[];
  /** Connections accepted so far. */
  connections(): number;
  respondWith(responder: Responder): void;
  close(): Promise<void>;
};

/** Every value of header `name` (case-insensitive) in the order received. */
export function headerValues(request: { headers: [string, string][] }, name: string): string[] {
  const wanted = name.toLowerCase();
  return request.headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

const echo: Responder = (request) => ({
  status: 200,
  headers: [["Content-Type", "application/json"]],
  body: JSON.stringify({ method: request.method, target: request.target }),
});

export async function startRecordingUpstream(
  respond: Responder = echo,
): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let responder = respond;
  let accepted = 0;

  const server = net.createServer((socket) => {
    const connection = ++accepted;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());

    let buffer: Buffer = Buffer.alloc(0);
    let busy = false;
    const drain = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        for (;;) {
          const parsed = parseRequest(buffer, connection);
          if (parsed === null) break;
          buffer = buffer.subarray(parsed.consumed);
          requests.push(parsed.request);
          const keepGoing = await answer(socket, parsed.request, await responder(parsed.request));
          if (!keepGoing) return;
        }
      } finally {
        busy = false;
      }
    };
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data as Buffer]);
      void drain();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => accepted,
    respondWith(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes the scripted answer; false when the connection is finished. */
async function answer(
  socket: net.Socket,
  request: RecordedRequest,
  response: ScriptedResponse,
): Promise<boolean> {
  if ("hang" in response) return false;
  if ("destroy" in response) {
    socket.destroy();
    return false;
  }
  if ("raw" in response) {
    socket.write(response.raw);
    if (response.close) socket.end();
    return !response.close;
  }

  const headers = [...(response.headers ?? [])];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const framed = has("content-length") || has("transfer-encoding");
  const chunked = response.chunks !== undefined;
  if (!framed && chunked) headers.push(["Transfer-Encoding", "chunked"]);
  if (!framed && !chunked && response.body !== undefined) {
    headers.push(["Content-Length", String(Buffer.byteLength(response.body))]);
  }
  const reason = response.reason ?? "OK";
  const head = `HTTP/1.1 ${response.status} ${reason}\r\n${headers
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join("")}\r\n`;
  socket.write(head);

  if (request.method !== "HEAD") {
    if (response.body !== undefined) socket.write(response.body);
    for (const chunk of response.chunks ?? []) {
      if (response.chunkDelayMs) await new Promise((r) => setTimeout(r, response.chunkDelayMs));
      socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n`);
      socket.write(chunk);
      socket.write("\r\n");
    }
    if (chunked) socket.write("0\r\n\r\n");
  }
  if (response.close) socket.end();
  return !response.close;
}

function parseRequest(
  buffer: Buffer,
  connection: number,
): { request: RecordedRequest; consumed: number } | null {
  const headEnd = buffer.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const head = buffer.subarray(0, headEnd).toString("latin1");
  const [requestLine = "", ...lines] = head.split("\r\n");
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const [method = "", target = ""] = requestLine.split(" ");
  const bodyStart = headEnd + 4;

  const chunked = headerValues({ headers }, "transfer-encoding").some((v) => /chunked/i.test(v));
  let body: Buffer;
  let consumed: number;
  if (chunked) {
    const decoded = dechunk(buffer, bodyStart);
    if (decoded === null) return null;
    ({ body, consumed } = decoded);
  } else {
    const length = Number(headerValues({ headers }, "content-length")[0] ?? 0);
    if (buffer.length < bodyStart + length) return null;
    body = Buffer.from(buffer.subarray(bodyStart, bodyStart + length));
    consumed = bodyStart + length;
  }

  const question = target.indexOf("?");
  return {
    consumed,
    request: {
      connection,
      requestLine,
      method,
      target,
      path: question < 0 ? target : target.slice(0, question),
      query: question < 0 ? null : target.slice(question + 1),
      headers,
      head,
      body,
      bodySha256: createHash("sha256").update(body).digest("hex"),
      chunked,
    },
  };
}

/** RFC 9112 §7.1 chunked decoding; null until the last chunk and trailers are in. */
function dechunk(buffer: Buffer, from: number): { body: Buffer; consumed: number } | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buffer.indexOf("\r\n", at);
    if (lineEnd < 0) return null;
    const size = parseInt(buffer.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (Number.isNaN(size)) throw new Error("malformed chunk size");
    at = lineEnd + 2;
    if (size === 0) {
      // Skip trailer fields up to the empty line.
      let line = at;
      for (;;) {
        const end = buffer.indexOf("\r\n", line);
        if (end < 0) return null;
        if (end === line) return { body: Buffer.concat(parts), consumed: end + 2 };
        line = end + 2;
      }
    }
    if (buffer.length < at + size + 2) return null;
    parts.push(Buffer.from(buffer.subarray(at, at + size)));
    at += size + 2;
  }
}
