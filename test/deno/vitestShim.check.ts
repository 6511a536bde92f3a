/**
 * The shim's own checks, run by Deno only (`deno test test/deno/vitestShim.check.ts`):
 * a matcher that passes what vitest fails would let a broken core pass CI.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "./vitestShim.ts";

const fails = (assertion: () => void) => expect(assertion).toThrow("failed");

class Point {
  constructor(
    readonly x: number,
    readonly y?: number,
  ) {}
}

describe("toEqual", () => {
  it("compares recursively", () => {
    expect({ a: [1, { b: "c" }], d: null }).toEqual({ a: [1, { b: "c" }], d: null });
    expect(new Map([["k", { v: 1 }]])).toEqual(new Map([["k", { v: 1 }]]));
    expect(new Set([1, 2])).toEqual(new Set([2, 1]));
    expect(new Date(5)).toEqual(new Date(5));
    expect(new Uint8Array([1, 2])).toEqual(new Uint8Array([1, 2]));
    expect(NaN).toEqual(NaN);
    fails(() => expect({ a: [1, 2] }).toEqual({ a: [1, 3] }));
    fails(() => expect({ a: 1 }).toEqual({ a: 1, b: 2 }));
    fails(() => expect([1, 2]).toEqual([1, 2, 3]));
    fails(() => expect([1]).toEqual({ 0: 1 }));
    fails(() => expect("1").toEqual(1));
    fails(() => expect(new Set([1])).toEqual(new Set([2])));
    fails(() => expect(new Date(5)).toEqual(new Date(6)));
    fails(() => expect(new Uint8Array([1])).toEqual(new Uint8Array([2])));
    fails(() => expect(0).toEqual(-0));
  });

  it("ignores undefined properties and prototypes", () => {
    expect({ a: 1, b: undefined }).toEqual({ a: 1 });
    expect(new Point(1)).toEqual({ x: 1 });
  });

  it("survives cycles", () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    const b: Record<string, unknown> = { n: 1 };
    b.self = b;
    expect(a).toEqual(b);
  });
});

describe("toStrictEqual", () => {
  it("counts undefined properties, prototypes and holes", () => {
    expect({ a: [1, { b: undefined }] }).toStrictEqual({ a: [1, { b: undefined }] });
    fails(() => expect({ a: 1, b: undefined }).toStrictEqual({ a: 1 }));
    fails(() => expect(new Point(1)).toStrictEqual({ x: 1 }));
    // deno-lint-ignore no-sparse-arrays
    fails(() => expect([, 1]).toStrictEqual([undefined, 1]));
  });
});

describe("toMatchObject", () => {
  it("takes a recursive subset; arrays match whole", () => {
    expect({ a: 1, b: { c: 2, d: 3 } }).toMatchObject({ b: { c: 2 } });
    expect({ list: [{ a: 1, b: 2 }] }).toMatchObject({ list: [{ a: 1 }] });
    fails(() => expect({ a: 1 }).toMatchObject({ a: 2 }));
    fails(() => expect({ a: 1 }).toMatchObject({ b: undefined }));
    fails(() => expect({ list: [1, 2] }).toMatchObject({ list: [1] }));
    fails(() => expect(null).toMatchObject({}));
  });
});

describe("the other matchers", () => {
  it("toBe is Object.is", () => {
    expect(1).toBe(1);
    fails(() => expect({}).toBe({}));
  });

  it("checks presence and truth", () => {
    expect(0).toBeDefined();
    expect(undefined).toBeUndefined();
    expect(null).toBeNull();
    expect("x").toBeTruthy();
    expect("").toBeFalsy();
    fails(() => expect(undefined).toBeDefined());
    fails(() => expect(null).toBeUndefined());
    fails(() => expect(undefined).toBeNull());
    fails(() => expect(0).toBeTruthy());
    fails(() => expect([]).toBeFalsy());
  });

  it("checks contents and length", () => {
    expect("abc").toContain("b");
    expect([1, 2]).toContain(2);
    expect([{ a: 1 }]).toContainEqual({ a: 1 });
    expect([1, 2]).toHaveLength(2);
    expect("abc").toHaveLength(3);
    expect("abc").toMatch(/^a/);
    expect("abc").toMatch("bc");
    fails(() => expect([{ a: 1 }]).toContain({ a: 1 }));
    fails(() => expect("abc").toContain("d"));
    fails(() => expect([1]).toHaveLength(2));
    fails(() => expect("abc").toMatch(/^b/));
  });

  it("checks what a function throws", () => {
    const boom = () => {
      throw new TypeError("boom here");
    };
    expect(boom).toThrow();
    expect(boom).toThrow("boom");
    expect(boom).toThrow(/here$/);
    expect(boom).toThrow(TypeError);
    fails(() => expect(() => {}).toThrow());
    fails(() => expect(boom).toThrow("bang"));
    fails(() => expect(boom).toThrow(RangeError));
  });

  it("negates with .not", () => {
    expect({ a: 1 }).not.toEqual({ a: 2 });
    expect([1]).not.toContain(2);
    expect(() => {}).not.toThrow();
    fails(() => expect({ a: 1 }).not.toEqual({ a: 1 }));
    fails(() => expect(1).not.toBe(1));
  });
});

describe("hooks", () => {
  const calls: string[] = [];
  beforeAll(() => void calls.push("beforeAll"));
  beforeEach(() => void calls.push("beforeEach"));
  afterEach(() => void calls.push("afterEach"));
  afterAll(() => {
    expect(calls).toEqual([
      "beforeAll",
      "beforeEach",
      "first",
      "afterEach",
      "beforeEach",
      "second",
      "afterEach",
    ]);
  });

  it("run around the first test", () => void calls.push("first"));
  it("run around the second test, async", async () => {
    await Promise.resolve();
    calls.push("second");
  });
});
