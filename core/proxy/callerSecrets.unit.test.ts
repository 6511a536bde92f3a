import { describe, expect, it } from "vitest";
import { authenticateCaller } from "./authenticateCaller.ts";
import { callerSecrets } from "./callerSecrets.ts";
import type { CallerAuth } from "./route.ts";

const apiKey: CallerAuth = { authType: "apiKey", keyName: "X-API-Key", accepted: [] };
const bearer: CallerAuth = { authType: "bearer", prefix: "Token", accepted: [] };
const basic: CallerAuth = { authType: "basicAuth", username: "alice", accepted: [] };
const headers = (init: Record<string, string>) => new Headers(init);
const b64 = (s: string) => btoa(s);

describe("callerSecrets", () => {
  describe("an apiKey caller", () => {
    it("finds the key in the keyName header", () => {
      expect(callerSecrets(apiKey, headers({ "x-api-key": "k1" }), [])).toEqual(["k1"]);
    });

    it("finds the key in Authorization, raw or Bearer", () => {
      expect(callerSecrets(apiKey, headers({ authorization: "k1" }), [])).toEqual(["k1"]);
      expect(callerSecrets(apiKey, headers({ authorization: "Bearer k1" }), [])).toEqual(["k1"]);
      expect(callerSecrets(apiKey, headers({ authorization: "bearer  k1" }), [])).toEqual(["k1"]);
    });

    it("finds the key in Basic, as the password or as a user with no password", () => {
      const asPassword = headers({ authorization: `Basic ${b64("anyone:k1")}` });
      const asUser = headers({ authorization: `Basic ${b64("k1:")}` });
      expect(callerSecrets(apiKey, asPassword, [])).toEqual(["k1"]);
      expect(callerSecrets(apiKey, asUser, [])).toEqual(["k1"]);
    });

    it("finds the key in query values", () => {
      expect(callerSecrets(apiKey, headers({}), ["k1", "Bearer k2"])).toEqual(["k1", "k2"]);
    });

    it("reads each item of a repeated header and the joined value", () => {
      const joined = headers({ authorization: "Bearer k1, Bearer k1" });
      expect(callerSecrets(apiKey, joined, [])).toEqual(["k1, Bearer k1", "k1"]);
    });
  });

  describe("a bearer caller", () => {
    it("finds the token after its own prefix, after Bearer, or raw", () => {
      expect(callerSecrets(bearer, headers({ authorization: "Token t1" }), [])).toEqual(["t1"]);
      expect(callerSecrets(bearer, headers({ authorization: "Bearer t1" }), [])).toEqual(["t1"]);
      expect(callerSecrets(bearer, headers({ authorization: "t1" }), [])).toEqual(["t1"]);
    });

    it("ignores an X-API-Key header", () => {
      expect(callerSecrets(bearer, headers({ "x-api-key": "t1" }), [])).toEqual([]);
    });
  });

  describe("a basicAuth caller", () => {
    it("takes the password for its own username only", () => {
      const right = headers({ authorization: `Basic ${b64("alice:pw:with:colons")}` });
      const wrong = headers({ authorization: `Basic ${b64("bob:pw")}` });
      expect(callerSecrets(basic, right, [])).toEqual(["pw:with:colons"]);
      expect(callerSecrets(basic, wrong, [])).toEqual([]);
    });

    it("reads UTF-8 credentials", () => {
      const bytes = new TextEncoder().encode("alice:pässwörd");
      const encoded = btoa(String.fromCharCode(...bytes));
      expect(callerSecrets(basic, headers({ authorization: `Basic ${encoded}` }), [])).toEqual([
        "pässwörd",
      ]);
    });

    it("takes neither a raw nor a Bearer value, nor malformed base64", () => {
      expect(callerSecrets(basic, headers({ authorization: "pw" }), [])).toEqual([]);
      expect(callerSecrets(basic, headers({ authorization: "Bearer pw" }), [])).toEqual([]);
      expect(callerSecrets(basic, headers({ authorization: "Basic %%%" }), [])).toEqual([]);
    });
  });

  it("gives at most eight candidates", () => {
    const many = Array.from({ length: 50 }, (_, i) => `k${i}`).join(", ");
    expect(callerSecrets(apiKey, headers({ authorization: many }), []).length).toBe(8);
  });
});

describe("authenticateCaller", () => {
  const hash = (value: string) => `h(${value})`;
  const caller = (validUntil: number | null): CallerAuth => ({
    ...apiKey,
    accepted: [{ hash: hash("k1"), validUntil }],
  });

  it("opens with any presented secret whose hash is accepted", () => {
    expect(authenticateCaller(caller(null), ["nope", "k1"], hash, 1_000)).toBe(true);
    expect(authenticateCaller(caller(null), ["nope"], hash, 1_000)).toBe(false);
    expect(authenticateCaller(caller(null), [], hash, 1_000)).toBe(false);
  });

  it("honours validUntil of a rotated key", () => {
    expect(authenticateCaller(caller(2_000), ["k1"], hash, 1_999)).toBe(true);
    expect(authenticateCaller(caller(2_000), ["k1"], hash, 2_000)).toBe(false);
  });
});
