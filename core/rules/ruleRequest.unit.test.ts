import { describe, expect, it } from "vitest";
import { decodeQuery, toRuleRequest } from "./ruleRequest.ts";

describe("decodeQuery", () => {
  it("decodes names and values as an upstream parses them", () => {
    expect(decodeQuery("%74oken=a%20b&tok%65n=c+d&x=%2B")).toEqual([
      ["token", "a b"],
      ["token", "c d"],
      ["x", "+"],
    ]);
  });

  it("keeps repeats, empty values and bare flags, in order", () => {
    expect(decodeQuery("tag=a&tag=b&empty=&flag")).toEqual([
      ["tag", "a"],
      ["tag", "b"],
      ["empty", ""],
      ["flag", ""],
    ]);
  });

  it("keeps a leading ? as part of the first name", () => {
    expect(decodeQuery("?a=1")).toEqual([["?a", "1"]]);
  });

  it("leaves a malformed escape as written", () => {
    expect(decodeQuery("a=%zz&b=%4")).toEqual([
      ["a", "%zz"],
      ["b", "%4"],
    ]);
  });

  it("answers nothing for no query", () => {
    expect(decodeQuery(null)).toEqual([]);
    expect(decodeQuery("")).toEqual([]);
  });
});

describe("toRuleRequest", () => {
  it("upper-cases the method, reads the headers and decodes the query", () => {
    const headers = new Headers([
      ["X-Debug", "1"],
      ["Accept", "text/plain"],
    ]);
    expect(
      toRuleRequest({ method: "patch", path: "/orders/1", query: "dry%52un=1", headers }),
    ).toEqual({
      method: "PATCH",
      path: "/orders/1",
      headers: [
        ["accept", "text/plain"],
        ["x-debug", "1"],
      ],
      query: [["dryRun", "1"]],
    });
  });
});
