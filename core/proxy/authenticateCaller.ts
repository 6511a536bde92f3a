import { constantTimeEqual } from "./constantTimeEqual.ts";
import type { CallerAuth } from "./route.ts";

/**
 * Whether any presented secret opens the proxy credential: its keyed hash
 * equals an accepted hash that is still valid at `now` (a rotated key stays
 * accepted until its `validUntil`).
 */
export function authenticateCaller(
  caller: CallerAuth,
  secrets: readonly string[],
  hashSecret: (value: string) => string,
  now: number,
): boolean {
  for (const secret of secrets) {
    const hash = hashSecret(secret);
    for (const accepted of caller.accepted) {
      const valid = accepted.validUntil === null || accepted.validUntil > now;
      if (valid && constantTimeEqual(hash, accepted.hash)) return true;
    }
  }
  return false;
}
