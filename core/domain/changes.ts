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
    if (value !== undefined && !Object.is(value, current[key])) changes[key] = value;
  }
  return changes;
};

export const isEmpty = (changes: object): boolean => Object.keys(changes).length === 0;
