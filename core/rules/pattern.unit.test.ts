import { describe, expect, it } from "vitest";
import { compile, patternProblem } from "./pattern.ts";
import { expandedSize } from "./patternSize.ts";

describe("patternProblem", () => {
  it("accepts what RE2 runs as JavaScript means it", () => {
    for (const source of ["^/a$", "[^/]+", "\\d{2,4}", "(?:x|y)*", "(?<name>a)", "[\\]]", "a|"]) {
      expect(patternProblem(source)).toBeNull();
    }
  });

  it("says why a pattern is refused without repeating it", () => {
    const problem = patternProblem("(secret-looking-pattern") ?? "";
    expect(problem).toMatch(/not a valid JavaScript regular expression/);
    expect(problem).not.toContain("secret-looking-pattern");
  });

  it("refuses surrogate pairs written as two escapes", () => {
    expect(patternProblem("\\uD83D\\uDE00")).toMatch(/\\u\{/);
    expect(patternProblem("\\u{1F600}")).toBeNull();
  });

  it("does not mistake a class holding ( or \\1-like text for lookaround or a backreference", () => {
    expect(patternProblem("[(?=]")).toBeNull();
    expect(patternProblem("[\\d1]")).toBeNull();
  });
});

describe("compile", () => {
  it("translates JavaScript syntax for the engine", () => {
    expect(compile("(?<id>\\d+)", 0).test("/users/42")).toBe(true);
    expect(compile("\\u{1F600}", 0).test("smile 😀")).toBe(true);
    expect(compile("[^]", 0).test("\n")).toBe(true);
  });
});

describe("expandedSize", () => {
  it("multiplies by counted repetition, nested too", () => {
    expect(expandedSize("abc")).toBeLessThan(10);
    expect(expandedSize("a{10}")).toBeGreaterThanOrEqual(10);
    expect(expandedSize("(?:a{10}){10}")).toBeGreaterThanOrEqual(100);
    expect(expandedSize("(?:(?:ab|cd){100}){100}")).toBeGreaterThan(10_000);
  });

  it("is at least the compiled program's size", () => {
    for (const source of [
      "^/v1/users/\\d+$",
      ".{1000}",
      "[a-z]{1,1000}",
      "(?:ab|cd|ef){100}",
      "(?:a{1,10}){1,50}",
      "(?:x|y)*z+w?",
      "\\p{L}{100}",
    ]) {
      expect(expandedSize(source)).toBeGreaterThanOrEqual(compile(source, 0).programSize());
    }
  });

  it("treats classes and escapes as one atom", () => {
    expect(expandedSize("[abc]{2}")).toBeLessThan(expandedSize("(?:abc){2}"));
    expect(expandedSize("\\u{1F600}")).toBe(expandedSize("a"));
    expect(expandedSize("\\p{L}")).toBe(expandedSize("a"));
  });
});
