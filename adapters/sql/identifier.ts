/**
 * Schema and channel names end up inside SQL text and connection options,
 * where parameters cannot go. Only plain lower-case identifiers are accepted,
 * so quoting never has to escape anything.
 */
const plainIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Answers `name` double-quoted for SQL text; throws for anything but a plain
 * lower-case identifier (at most 63 bytes, Postgres's limit).
 *
 * @example
 * sqlIdentifier("t_01hx"); // '"t_01hx"'
 */
export function sqlIdentifier(name: string): string {
  if (!plainIdentifier.test(name)) {
    throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }

  return `"${name}"`;
}
