import { describe, expect, it } from "vitest";
import { parseProxyTarget } from "./proxyTarget.ts";

describe("parseProxyTarget", () => {
  it("splits proxy id, rest and query as received", () => {
    expect(parseProxyTarget("http://proxy.example/api/P//x/%2e?a=1&a=2&flag")).toEqual({
      proxyId: "P",
      rest: "//x/%2e",
      query: "a=1&a=2&flag",
      fragment: false,
    });
  });

  it("reads the proxy root with and without a slash", () => {
    expect(parseProxyTarget("http://h.example:4001/api/P")).toMatchObject({
      proxyId: "P",
      rest: "",
    });
    expect(parseProxyTarget("http://h.example:4001/api/P/")).toMatchObject({
      proxyId: "P",
      rest: "/",
    });
    expect(parseProxyTarget("http://h.example:4001/api/P?x=1")).toMatchObject({
      rest: "",
      query: "x=1",
    });
  });

  it("tells an empty query from none", () => {
    expect(parseProxyTarget("http://h.example/api/P/x?")?.query).toBe("");
    expect(parseProxyTarget("http://h.example/api/P/x")?.query).toBe(null);
  });

  it("takes a bare path, as the server gives when Host cannot form a URL", () => {
    expect(parseProxyTarget("/api/P/x?q")).toMatchObject({ proxyId: "P", rest: "/x", query: "q" });
  });

  it("notes a fragment and keeps it out of path and query", () => {
    expect(parseProxyTarget("http://h.example/api/P/x?a=1#frag")).toEqual({
      proxyId: "P",
      rest: "/x",
      query: "a=1",
      fragment: true,
    });
  });

  it("does not look for a question mark inside the host", () => {
    expect(parseProxyTarget("http://h.example/api/P/x")?.query).toBe(null);
  });

  it("answers null outside /api/", () => {
    expect(parseProxyTarget("http://h.example/apix/P")).toBe(null);
    expect(parseProxyTarget("http://h.example/health")).toBe(null);
  });
});
