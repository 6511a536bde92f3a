import { describe, expect, it } from "vitest";
import { injectParams, takeCallerParams } from "./queryParams.ts";

const C3 = "tag=a&tag=b&order[]=1&order[]=2&empty=&flag&tag=c";

describe("takeCallerParams", () => {
  it("leaves a query without credentials byte for byte", () => {
    expect(takeCallerParams(C3, ["authorization"])).toEqual({
      forwarded: C3,
      redacted: C3,
      values: [],
    });
    expect(takeCallerParams("a=+&b=%20&c=%2B", ["authorization"]).forwarded).toBe(
      "a=+&b=%20&c=%2B",
    );
  });

  it("takes out every credential parameter, whatever the case or encoding of its name", () => {
    const taken = takeCallerParams(
      "a=1&Authorization=pk_caller&b=2&authorization=Bearer%20pk2&Authoriz%61tion=pk3",
      ["authorization"],
    );
    expect(taken.forwarded).toBe("a=1&b=2");
    expect(taken.values).toEqual(["pk_caller", "Bearer pk2", "pk3"]);
    expect(taken.redacted).toBe(
      "a=1&Authorization=[REDACTED]&b=2&authorization=[REDACTED]&Authoriz%61tion=[REDACTED]",
    );
  });

  it("answers null when nothing is left", () => {
    expect(takeCallerParams("Authorization=pk", ["authorization"]).forwarded).toBe(null);
    expect(takeCallerParams(null, ["authorization"]).forwarded).toBe(null);
  });

  it("takes the apiKey header's name too", () => {
    const taken = takeCallerParams("x-api-key=pk&page=2", ["authorization", "x-api-key"]);
    expect(taken.forwarded).toBe("page=2");
    expect(taken.values).toEqual(["pk"]);
  });
});

describe("injectParams", () => {
  it("replaces the caller's own value in place, never duplicating it", () => {
    expect(injectParams(`${C3}&api_key=guess&z=1`, [["api_key", "tk"]], false)).toBe(
      `${C3}&api_key=tk&z=1`,
    );
    expect(injectParams("api_key=a&x=1&api_key=b", [["api_key", "tk"]], false)).toBe(
      "api_key=tk&x=1",
    );
    expect(injectParams("api%5Fkey=guess&x=1", [["api_key", "tk"]], false)).toBe("api_key=tk&x=1");
  });

  it("appends a parameter the caller did not send", () => {
    expect(injectParams(C3, [["api_key", "tk"]], false)).toBe(`${C3}&api_key=tk`);
    expect(injectParams(null, [["api_key", "tk"]], false)).toBe("api_key=tk");
  });

  it("percent-encodes the value so it decodes to exactly itself", () => {
    const value = "s3cr&et=+x/y%z#q";
    const query = injectParams("page=2&api_key=guess", [["api_key", value]], false) as string;
    expect(query).toBe("page=2&api_key=s3cr%26et%3D%2Bx%2Fy%25z%23q");
    expect(new URLSearchParams(query).getAll("api_key")).toEqual([value]);
  });

  it("writes [REDACTED] in the log's view", () => {
    expect(injectParams("page=2&api_key=guess", [["api_key", "tk"]], true)).toBe(
      "page=2&api_key=[REDACTED]",
    );
  });

  it("changes nothing without parameters to inject", () => {
    expect(injectParams(C3, [], false)).toBe(C3);
    expect(injectParams(null, [], false)).toBe(null);
  });
});
