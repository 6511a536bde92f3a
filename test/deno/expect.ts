/** vitest's `expect`, as far as the core's tests use it, for the Deno shim. */
import { deepEqual, matchesObject } from "./deepEqual.ts";

const deno = (
  globalThis as unknown as {
    Deno?: { inspect?(value: unknown, options?: { depth?: number }): string };
  }
).Deno;

class AssertionError extends Error {
  override name = "AssertionError";
}

const show = (value: unknown): string => {
  if (deno?.inspect !== undefined) return deno.inspect(value, { depth: 20 });
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

type Constructor = abstract new (...args: never[]) => unknown;

export type Matchers = BaseMatchers & { not: BaseMatchers };

type BaseMatchers = {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toBeNull(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toContain(item: unknown): void;
  toContainEqual(item: unknown): void;
  toHaveLength(length: number): void;
  toThrow(expected?: string | RegExp | Error | Constructor): void;
  toMatch(expected: string | RegExp): void;
  toBeInstanceOf(expected: Constructor): void;
  toBeGreaterThan(expected: number | bigint): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThan(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
};

const matchers = (actual: unknown, negated: boolean): BaseMatchers => {
  /** Throws unless `pass` is what the assertion (or its `.not`) asks for. */
  const check = (pass: boolean, name: string, expected?: unknown, hasExpected = true): void => {
    if (pass !== negated) return;
    const lines = [`expect(received).${negated ? "not." : ""}${name}(…) failed`];
    if (hasExpected) lines.push(`expected: ${show(expected)}`);
    lines.push(`received: ${show(actual)}`);
    throw new AssertionError(lines.join("\n"));
  };
  const asString = (name: string): string => {
    if (typeof actual !== "string") throw new AssertionError(`${name}: received is not a string`);
    return actual;
  };
  const compare = (name: string, expected: number | bigint, holds: (a: number) => boolean) => {
    if (typeof actual !== "number" && typeof actual !== "bigint") {
      throw new AssertionError(`${name}: received ${show(actual)} is not a number`);
    }
    check(holds(Number(actual) - Number(expected)), name, expected);
  };

  return {
    toBe: (expected) => check(Object.is(actual, expected), "toBe", expected),
    toEqual: (expected) => check(deepEqual(actual, expected, false), "toEqual", expected),
    toStrictEqual: (expected) =>
      check(deepEqual(actual, expected, true), "toStrictEqual", expected),
    toMatchObject: (expected) => check(matchesObject(actual, expected), "toMatchObject", expected),
    toBeDefined: () => check(actual !== undefined, "toBeDefined", undefined, false),
    toBeUndefined: () => check(actual === undefined, "toBeUndefined", undefined, false),
    toBeNull: () => check(actual === null, "toBeNull", undefined, false),
    toBeTruthy: () => check(Boolean(actual), "toBeTruthy", undefined, false),
    toBeFalsy: () => check(!actual, "toBeFalsy", undefined, false),
    toContain: (item) => {
      const pass =
        typeof actual === "string"
          ? typeof item === "string" && actual.includes(item)
          : isIterable(actual) && [...actual].some((element) => element === item);
      check(pass, "toContain", item);
    },
    toContainEqual: (item) =>
      check(
        isIterable(actual) && [...actual].some((element) => deepEqual(element, item, false)),
        "toContainEqual",
        item,
      ),
    toHaveLength: (length) =>
      check(
        (typeof actual === "string" || (typeof actual === "object" && actual !== null)) &&
          (actual as { length?: unknown }).length === length,
        "toHaveLength",
        length,
      ),
    toThrow: (expected) => {
      if (typeof actual !== "function")
        throw new AssertionError("toThrow: received is not a function");
      let thrown: { value: unknown } | null = null;
      try {
        (actual as () => unknown)();
      } catch (error) {
        thrown = { value: error };
      }
      check(
        thrown !== null && thrownMatches(thrown.value, expected),
        "toThrow",
        expected,
        expected !== undefined,
      );
    },
    toMatch: (expected) => {
      const text = asString("toMatch");
      check(
        typeof expected === "string" ? text.includes(expected) : expected.test(text),
        "toMatch",
        expected,
      );
    },
    toBeInstanceOf: (expected) => check(actual instanceof expected, "toBeInstanceOf", expected),
    toBeGreaterThan: (expected) => compare("toBeGreaterThan", expected, (d) => d > 0),
    toBeGreaterThanOrEqual: (expected) =>
      compare("toBeGreaterThanOrEqual", expected, (d) => d >= 0),
    toBeLessThan: (expected) => compare("toBeLessThan", expected, (d) => d < 0),
    toBeLessThanOrEqual: (expected) => compare("toBeLessThanOrEqual", expected, (d) => d <= 0),
  };
};

const isIterable = (value: unknown): value is Iterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.iterator in value;

const thrownMatches = (
  thrown: unknown,
  expected: string | RegExp | Error | Constructor | undefined,
) => {
  if (expected === undefined) return true;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (typeof expected === "string") return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (expected instanceof Error) return message === expected.message;
  return thrown instanceof expected;
};

export const expect = (actual: unknown): Matchers => ({
  ...matchers(actual, false),
  not: matchers(actual, true),
});
