/**
 * Just enough of vitest for the core's unit tests to run under Deno, which
 * proves the core needs nothing but web-standard APIs. deno.json maps the
 * `vitest` import here. Nested `describe`s become one `Deno.test` name
 * (`credential > active > renames`); hooks run per scope; the matchers are
 * the ones the core tests use, with vitest's equality rules.
 */

type TestBody = () => unknown;
type Hook = () => unknown;

type DenoTestApi = {
  test(definition: { name: string; fn: () => Promise<void>; ignore?: boolean }): void;
  inspect?(value: unknown, options?: { depth?: number }): string;
};

const deno = (globalThis as unknown as { Deno?: DenoTestApi }).Deno;
if (deno === undefined) throw new Error("vitestShim runs under Deno only; use vitest elsewhere");

type Scope = {
  name: string;
  skipped: boolean;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  beforeAllDone: boolean;
  /** The scope's last test, after which its afterAll hooks run. */
  lastTest: object | null;
};

const newScope = (name: string, skipped: boolean): Scope => ({
  name,
  skipped,
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
  beforeAllDone: false,
  lastTest: null,
});

const stack: Scope[] = [newScope("", false)];
const current = (): Scope => stack[stack.length - 1]!;

const runDescribe = (name: string, body: () => void, skipped: boolean): void => {
  const scope = newScope(name, skipped || current().skipped);
  stack.push(scope);
  try {
    const returned: unknown = body();
    if (returned instanceof Promise)
      throw new Error(`describe("${name}") body must be synchronous`);
  } finally {
    stack.pop();
  }
  // A nested scope's last test is also its parent's last test so far.
  if (scope.lastTest !== null) current().lastTest = scope.lastTest;
};

const runIt = (name: string, body: TestBody, skipped: boolean): void => {
  const scopes = [...stack];
  const id = {};
  for (const scope of scopes) scope.lastTest = id;
  const fullName = [...scopes.map((scope) => scope.name).filter(Boolean), name].join(" > ");

  deno.test({
    name: fullName,
    ignore: skipped || current().skipped,
    fn: async () => {
      for (const scope of scopes) {
        if (scope.beforeAllDone) continue;
        scope.beforeAllDone = true;
        for (const hook of scope.beforeAll) await hook();
      }
      try {
        for (const scope of scopes) for (const hook of scope.beforeEach) await hook();
        await body();
      } finally {
        for (const scope of [...scopes].reverse()) {
          for (const hook of scope.afterEach) await hook();
        }
        for (const scope of [...scopes].reverse()) {
          if (scope.lastTest === id) for (const hook of scope.afterAll) await hook();
        }
      }
    },
  });
};

type Describe = {
  (name: string, body: () => void): void;
  skip: (name: string, body: () => void) => void;
  skipIf: (condition: unknown) => (name: string, body: () => void) => void;
  runIf: (condition: unknown) => (name: string, body: () => void) => void;
};

type It = {
  (name: string, body: TestBody, timeout?: number): void;
  skip: (name: string, body: TestBody, timeout?: number) => void;
  skipIf: (condition: unknown) => (name: string, body: TestBody, timeout?: number) => void;
  runIf: (condition: unknown) => (name: string, body: TestBody, timeout?: number) => void;
};

export const describe: Describe = Object.assign(
  (name: string, body: () => void) => runDescribe(name, body, false),
  {
    skip: (name: string, body: () => void) => runDescribe(name, body, true),
    skipIf: (condition: unknown) => (name: string, body: () => void) =>
      runDescribe(name, body, Boolean(condition)),
    runIf: (condition: unknown) => (name: string, body: () => void) =>
      runDescribe(name, body, !condition),
  },
);

export const it: It = Object.assign((name: string, body: TestBody) => runIt(name, body, false), {
  skip: (name: string, body: TestBody) => runIt(name, body, true),
  skipIf: (condition: unknown) => (name: string, body: TestBody) =>
    runIt(name, body, Boolean(condition)),
  runIf: (condition: unknown) => (name: string, body: TestBody) => runIt(name, body, !condition),
});

export const test: It = it;

export const beforeAll = (hook: Hook): void => void current().beforeAll.push(hook);
export const afterAll = (hook: Hook): void => void current().afterAll.push(hook);
export const beforeEach = (hook: Hook): void => void current().beforeEach.push(hook);
export const afterEach = (hook: Hook): void => void current().afterEach.push(hook);

// ---------------------------------------------------------------- equality

/**
 * vitest's `equals`: `toEqual` ignores properties whose value is undefined
 * and does not compare prototypes; `toStrictEqual` does both, and tells a
 * hole in an array from an undefined element.
 */
export const deepEqual = (
  a: unknown,
  b: unknown,
  strict: boolean,
  seen: [unknown, unknown][] = [],
): boolean => {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (seen.some(([x, y]) => x === a && y === b)) return true;
  const pairs: [unknown, unknown][] = [...seen, [a, b]];
  const equal = (x: unknown, y: unknown) => deepEqual(x, y, strict, pairs);

  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (a instanceof RegExp || b instanceof RegExp) {
    return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
  }
  if (a instanceof Error || b instanceof Error) {
    if (!(a instanceof Error && b instanceof Error)) return false;
    if (a.name !== b.name || a.message !== b.message) return false;
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (strict && i in a !== i in b) return false;
      if (!equal(a[i], b[i])) return false;
    }
    return strict ? keysEqual(a, b, true, equal, true) : true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !equal(value, b.get(key))) return false;
    }
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const value of a) {
      if (!b.has(value) && ![...b].some((other) => equal(value, other))) return false;
    }
    return true;
  }
  return keysEqual(a, b, strict, equal, false);
};

const keysEqual = (
  a: object,
  b: object,
  strict: boolean,
  equal: (x: unknown, y: unknown) => boolean,
  skipIndices: boolean,
): boolean => {
  const keys = (value: object) =>
    Object.keys(value).filter(
      (key) =>
        !(skipIndices && /^\d+$/.test(key)) &&
        (strict || (value as Record<string, unknown>)[key] !== undefined),
    );
  const keysA = keys(a);
  const keysB = keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
};

/** `toMatchObject`: every property of `expected` is in `actual`, recursively; arrays match whole. */
const matchesObject = (actual: unknown, expected: unknown): boolean => {
  if (typeof expected !== "object" || expected === null) return Object.is(actual, expected);
  if (typeof actual !== "object" || actual === null) return false;
  if (expected instanceof Date || expected instanceof RegExp || expected instanceof Map) {
    return deepEqual(actual, expected, false);
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => matchesObject(actual[i], item))
    );
  }
  return Object.keys(expected).every(
    (key) =>
      key in actual &&
      matchesObject(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
      ),
  );
};

// ---------------------------------------------------------------- matchers

class AssertionError extends Error {
  override name = "AssertionError";
}

const show = (value: unknown): string => {
  if (deno.inspect !== undefined) return deno.inspect(value, { depth: 20 });
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
