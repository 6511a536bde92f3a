/**
 * A raw HTTP/1.1 client over one socket: sends bytes exactly as written (no
 * path normalisation, duplicate header lines kept) and reads responses with
 * their header lines as received, so a test sees what crossed the wire and
 * whether the connection is still usable afterwards.
 */
import net from "node:net";

export type RawResponse = {
  status: number;
  statusLine: string;
  headers: [name: string, value: string][];
  head: string;
  body: Buffer;
  chunked: boolean;
};

export function responseHeader(response: RawResponse, name: string): string[] {
  const wanted = name.toLowerCase();
  return response.headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

export class RawConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (data) => {
      this.buffer = Buffer.concat([this.buffer, data as Buffer]);
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends `raw` and reads one response; `head` marks an answer to HEAD (no body). */
  async request(raw: string | Uint8Array, options: { head?: boolean } = {}): Promise<RawResponse> {
    this.socket.write(raw);
    return this.readResponse(options.head ?? false);
  }

  async readResponse(head: boolean, timeoutMs = 5_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.buffer, head, this.ended);
      if (parsed !== null) {
        this.buffer = this.buffer.subarray(parsed.consumed);
        return parsed.response;
      }
      if (this.ended) throw new Error(`connection closed before a full response: ${this.buffer}`);
      if (Date.now() > deadline) throw new Error(`no full response in time: ${this.buffer}`);
      await this.next(deadline - Date.now());
    }
  }

  /** Bytes that arrived after the last complete response. */
  leftover(): Buffer {
    return this.buffer;
  }

  /** Sends `raw`, then closes this side: the server reads an end of input. */
  end(raw: string | Uint8Array): void {
    this.socket.end(raw);
  }

  close(): void {
    this.socket.destroy();
  }

  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve();
      }, ms);
      this.waiting = () => {
        clearTimeout(timer);
        this.waiting = null;
        resolve();
      };
    });
  }

  private wake(): void {
    this.waiting?.();
  }
}

/** Opens a connection, sends `raw`, reads one response and closes. */
export async function rawRequest(
  port: number,
  raw: string | Uint8Array,
  options: { head?: boolean } = {},
): Promise<RawResponse> {
  const connection = await RawConnection.open(port);
  try {
    return await connection.request(raw, options);
  } finally {
    connection.close();
  }
}

/** A request head with CRLFs, from a request line and header lines. */
export function rawHead(requestLine: string, headers: string[], body = ""): string {
  return `${requestLine}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
}

function parseResponse(
  buffer: Buffer,
  head: boolean,
  ended: boolean,
): { response: RawResponse; consumed: number } | null {
  const headEnd = buffer.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const headText = buffer.subarray(0, headEnd).toString("latin1");
  const [statusLine = "", ...lines] = headText.split("\r\n");
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const status = Number(statusLine.split(" ")[1]);
  const response = { status, statusLine, headers, head: headText };
  const bodyStart = headEnd + 4;
  const values = (name: string) =>
    responseHeader({ ...response, body: Buffer.alloc(0), chunked: false }, name);

  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return {
      response: { ...response, body: Buffer.alloc(0), chunked: false },
      consumed: bodyStart,
    };
  }
  if (values("transfer-encoding").some((v) => /chunked/i.test(v))) {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = buffer.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(buffer.subarray(at, lineEnd).toString("latin1"), 16);
      at = lineEnd + 2;
      if (size === 0) {
        const end = buffer.indexOf("\r\n", at);
        if (end < 0) return null;
        return {
          response: { ...response, body: Buffer.concat(parts), chunked: true },
          consumed: end + 2,
        };
      }
      if (buffer.length < at + size + 2) return null;
      parts.push(Buffer.from(buffer.subarray(at, at + size)));
      at += size + 2;
    }
  }
  const length = values("content-length")[0];
  if (length !== undefined) {
    const end = bodyStart + Number(length);
    if (buffer.length < end) return null;
    return {
      response: { ...response, body: Buffer.from(buffer.subarray(bodyStart, end)), chunked: false },
      consumed: end,
    };
  }
  if (!ended) return null;
  return {
    response: { ...response, body: Buffer.from(buffer.subarray(bodyStart)), chunked: false },
    consumed: buffer.length,
  };
}
