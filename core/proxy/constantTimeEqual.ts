/**
 * Compares two strings in time that depends only on their length, so a
 * keyed hash cannot be guessed one character at a time. Hashes of one kind
 * all have the same length, so answering early on a length mismatch reveals
 * nothing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
