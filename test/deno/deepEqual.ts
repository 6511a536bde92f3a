/** Equality as vitest has it, for the Deno shim's matchers. */

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
export const matchesObject = (actual: unknown, expected: unknown): boolean => {
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
