import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import { requestIdFactory } from "../../apps/proxy/requestId.ts";

describe("request ids", () => {
  it("are ULIDs of the clock's millisecond, counting up within one", () => {
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const next = requestIdFactory(() => now);
    let previous = "";
    for (let i = 0; i < 5000; i++) {
      if (i % 1000 === 999) now += 1;
      const id = next();
      expect(id).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(decodeTime(id.slice(4))).toBe(now);
      expect(id > previous).toBe(true);
      previous = id;
    }
  });

  it("stay ordered when the clock steps back", () => {
    let now = 1_700_000_000_000;
    const next = requestIdFactory(() => now);
    const first = next();
    now -= 5;
    const second = next();
    expect(second > first).toBe(true);
    expect(second.slice(0, 14)).toBe(first.slice(0, 14));
  });
});
