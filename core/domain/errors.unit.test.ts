import { describe, expect, it } from "vitest";
import { invalidFields } from "./errors.ts";

describe("invalidFields", () => {
  it("names each bad field once in its message, and keeps every issue", () => {
    const refused = invalidFields("invalid_input", [
      { field: "rateLimit.limit", message: "must be an integer" },
      { field: "rateLimit.limit", message: "must be at most 1000000" },
      { field: "rateLimit.window", message: "must be one of second, minute, hour, day" },
    ]);
    expect(refused.error.message).toBe(
      "invalid rateLimit.limit, rateLimit.window (rateLimit.limit: must be an integer; rateLimit.limit: must be at most 1000000; rateLimit.window: must be one of second, minute, hour, day)",
    );
    expect(refused.error.details?.field).toBe("rateLimit.limit");
    expect(refused.error.details?.issues).toHaveLength(3);
  });
});
