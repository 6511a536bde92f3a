import { describe, expect, it } from "vitest";
import { stripHopByHop } from "./hopByHop.ts";

describe("stripHopByHop", () => {
  it("removes connection-scoped fields and what Connection lists", () => {
    const headers = new Headers([
      ["Connection", "close, X-Trace"],
      ["X-Trace", "1"],
      ["Keep-Alive", "timeout=1"],
      ["Proxy-Authenticate", "Basic"],
      ["Transfer-Encoding", "chunked"],
      ["TE", "trailers"],
      ["Trailer", "X-Sum"],
      ["Upgrade", "h2c"],
      ["Content-Type", "text/plain"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
    ]);
    stripHopByHop(headers);
    expect([...headers.keys()]).toEqual(["content-type", "set-cookie", "set-cookie"]);
    expect(headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });
});
