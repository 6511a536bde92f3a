import type { StoredSecret } from "../events.ts";

/** What every masked secret value shows: a fixed mask, so not even a length leaks. */
export const SECRET_MASK = "********";

/**
 * A stored secret for display: public fields as they are, every secret field
 * named with the mask in place of its value. The API shows the fingerprint
 * beside it.
 */
export const maskSecret = (stored: StoredSecret): Record<string, string> => {
  const masked: Record<string, string> = {};

  for (const field of stored.fields) {
    masked[field] = Object.hasOwn(stored.public, field) ? show(stored.public[field]) : SECRET_MASK;
  }
  for (const [field, value] of Object.entries(stored.public)) {
    if (!Object.hasOwn(masked, field)) masked[field] = show(value);
  }
  return masked;
};

const show = (value: unknown): string =>
  typeof value === "string" ? value : JSON.stringify(value);
