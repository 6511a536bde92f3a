import { describe, expect, it } from "vitest";
import { headerValueProblem, isReservedHeaderName, isToken } from "./httpSyntax.ts";

describe("isToken", () => {
  it("takes tchar only (RFC 9110 §5.6.2)", () => {
    for (const name of ["X-API-Key", "api_key", "Authorization", "a!#$%&'*+-.^_`|~9"]) {
      expect(isToken(name)).toBe(true);
    }
    for (const name of ["", "X Key", "X:Key", "X-Key\r\n", "X\u0000", "(x)", "é", "a/b"]) {
      expect(isToken(name)).toBe(false);
    }
  });
});

describe("headerValueProblem", () => {
  it("accepts visible characters, inner spaces and tabs", () => {
    expect(headerValueProblem("Bearer abc.def")).toBeNull();
    expect(headerValueProblem("a\tb")).toBeNull();
  });

  it("refuses CR, LF, NUL and other controls, and outer whitespace", () => {
    for (const value of ["a\r\nb", "a\nb", "a\rb", "a\u0000b", "a\u007fb", " a", "a\t"]) {
      expect(headerValueProblem(value)).toBeTruthy();
    }
  });
});

describe("isReservedHeaderName", () => {
  it("names framing and connection headers in any case", () => {
    for (const name of [
      "Host",
      "CONTENT-LENGTH",
      "transfer-encoding",
      "TE",
      "Proxy-Authorization",
    ]) {
      expect(isReservedHeaderName(name)).toBe(true);
    }
    expect(isReservedHeaderName("X-Host")).toBe(false);
    expect(isReservedHeaderName("Content-Type")).toBe(false);
  });
});
