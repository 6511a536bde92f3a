/**
 * The given fields whose value differs from the current one. An update that
 * changes nothing yields `{}`, and the decider then emits no event.
 */
export const changedFields = <T extends Record<string, unknown>>(
  current: T,
  given: { [K in keyof T]?: T[K] | undefined },
): Partial<T> => {
  const changes: Partial<T> = {};
  for (const key of Object.keys(given) as (keyof T)[]) {
    const value = given[key];
    if (value !== undefined && !sameValue(value, current[key])) changes[key] = value;
  }
  return changes;
};

/** Plain values compare by identity, objects (a retry policy, say) by their JSON. */
const sameValue = (a: unknown, b: unknown): boolean =>
  Object.is(a, b) ||
  (typeof a === "object" &&
    typeof b === "object" &&
    a !== null &&
    b !== null &&
    JSON.stringify(a) === JSON.stringify(b));

export const isEmpty = (changes: object): boolean => Object.keys(changes).length === 0;
