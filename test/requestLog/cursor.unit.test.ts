import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../adapters/requestLog/cursor.ts";

const key = { occurredAt: "2024-05-01T10:00:00.123000Z", requestId: "req_01HX" };

describe("the listing cursor", () => {
  it("carries the page key back to the client it was handed to", () => {
    const cursor = encodeCursor("cli_A", key);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor("cli_A", cursor)._unsafeUnwrap()).toEqual(key);
  });

  it("is refused for another client", () => {
    expect(decodeCursor("cli_B", encodeCursor("cli_A", key)).isErr()).toBe(true);
  });

  it("is refused when it is not exactly one Ferry wrote", () => {
    const cursor = encodeCursor("cli_A", key);
    const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString("base64url");

    for (const value of [
      "",
      "not-a-cursor",
      `${cursor}!`,
      `${cursor}=`,
      forged({ c: "cli_A", t: "2024-05-01", r: "req_1" }),
      forged({ c: "cli_A", t: key.occurredAt, r: "" }),
      forged({ c: "cli_A", t: key.occurredAt, r: "req_1", extra: 1 }),
      forged(["cli_A", key.occurredAt, "req_1"]),
      // What Postgres would refuse: a day that does not exist, year 0, NUL.
      forged({ c: "cli_A", t: "2026-02-30T00:00:00.000000Z", r: "req_1" }),
      forged({ c: "cli_A", t: "0000-01-01T00:00:00.000000Z", r: "req_1" }),
      forged({ c: "cli_A", t: key.occurredAt, r: "req_\u0000" }),
      forged({ c: "cli_A", t: key.occurredAt, r: "req_\ud800" }),
    ])
      expect(decodeCursor("cli_A", value).isErr(), value).toBe(true);
  });
});
