import { describe, expect, it } from "vitest";
import { canonicalPath } from "../proxy/canonicalPath.ts";
import type { RuleRequest } from "./ruleRequest.ts";
import { evaluate, holds, onlyScope, request, rule } from "./ruleFixtures.ts";

const canonical = (raw: string): string => canonicalPath(raw)._unsafeUnwrap();

describe("methods", () => {
  it("holds when the method is one of the list, given in any case", () => {
    expect(holds({ methods: ["delete", "Put"] }, request({ method: "DELETE" }))).toBe(true);
    expect(holds({ methods: ["delete", "Put"] }, request({ method: "PUT" }))).toBe(true);
    expect(holds({ methods: ["delete"] }, request({ method: "GET" }))).toBe(false);
  });

  it("compares a request method that arrives in lower case as upper case", () => {
    expect(holds({ methods: ["PATCH"] }, request({ method: "patch" }))).toBe(true);
  });
});

describe("methodPattern", () => {
  it("must match the whole method", () => {
    expect(holds({ methodPattern: "DELETE|PUT" }, request({ method: "DELETE" }))).toBe(true);
    expect(holds({ methodPattern: "PUT" }, request({ method: "PUT" }))).toBe(true);
    expect(holds({ methodPattern: "PU" }, request({ method: "PUT" }))).toBe(false);
    expect(holds({ methodPattern: "ET" }, request({ method: "GET" }))).toBe(false);
  });

  it("ignores case, so a pattern written in lower case still matches", () => {
    expect(holds({ methodPattern: "delete" }, request({ method: "DELETE" }))).toBe(true);
  });

  it("absent holds when the method does not match", () => {
    const rule = { methodPattern: "GET|HEAD", methodPresence: "absent" };
    expect(holds(rule, request({ method: "POST" }))).toBe(true);
    expect(holds(rule, request({ method: "GET" }))).toBe(false);
  });
});

describe("pathPattern", () => {
  it("is searched, not anchored, in the path", () => {
    expect(holds({ pathPattern: "/admin" }, request({ path: "/v1/admin/users" }))).toBe(true);
    expect(holds({ pathPattern: "/admin" }, request({ path: "/administrator" }))).toBe(true);
    expect(holds({ pathPattern: "^/admin/" }, request({ path: "/administrator" }))).toBe(false);
  });

  it("present and absent (and their must_ spellings) are opposites", () => {
    const at = request({ path: "/admin" });
    const elsewhere = request({ path: "/public" });
    for (const presence of ["present", "must_exist"]) {
      expect(holds({ pathPattern: "^/admin", pathPresence: presence }, at)).toBe(true);
      expect(holds({ pathPattern: "^/admin", pathPresence: presence }, elsewhere)).toBe(false);
    }
    for (const presence of ["absent", "must_not_exist"]) {
      expect(holds({ pathPattern: "^/admin", pathPresence: presence }, at)).toBe(false);
      expect(holds({ pathPattern: "^/admin", pathPresence: presence }, elsewhere)).toBe(true);
    }
  });

  it("is case-sensitive unless regexFlags has i", () => {
    expect(holds({ pathPattern: "^/admin" }, request({ path: "/ADMIN" }))).toBe(false);
    expect(holds({ pathPattern: "^/admin", regexFlags: "i" }, request({ path: "/ADMIN" }))).toBe(
      true,
    );
  });

  it("sees every spelling of a path as its one canonical form", () => {
    const deny = { pathPattern: "^/admin(/|$)" };
    for (const raw of [
      "/admin",
      "//admin",
      "/admin//users",
      "/./admin",
      "/x/../admin",
      "/x/%2e%2e/admin",
      "/%61dmin",
      "/%61%64%6D%69%6E/",
    ]) {
      expect(holds(deny, request({ path: canonical(raw) }))).toBe(true);
    }
    expect(holds(deny, request({ path: canonical("/admin2") }))).toBe(false);
  });

  it("matches a Unicode segment by its upper-case UTF-8 encoding", () => {
    const deny = { pathPattern: "^/caf%C3%A9$" };
    expect(holds(deny, request({ path: canonical("/caf%c3%a9") }))).toBe(true);
    expect(holds(deny, request({ path: canonical("/caf%C3%A9") }))).toBe(true);
    expect(holds(deny, request({ path: canonical("/cafe") }))).toBe(false);
  });

  it("with m, ^ and $ match at line ends; with s, . matches a newline", () => {
    const multiline = request({ headers: [["x-note", "one\ntwo"]] });
    expect(holds({ headers: [{ name: "x-note", value: "^two$" }] }, multiline)).toBe(false);
    expect(
      holds({ headers: [{ name: "x-note", value: "^two$" }], regexFlags: "m" }, multiline),
    ).toBe(true);
    expect(holds({ headers: [{ name: "x-note", value: "one.two" }] }, multiline)).toBe(false);
    expect(
      holds({ headers: [{ name: "x-note", value: "one.two" }], regexFlags: "s" }, multiline),
    ).toBe(true);
  });
});

describe("headers", () => {
  const withDebug = request({
    headers: [
      ["x-debug", "on"],
      ["accept", "application/json"],
    ],
  });
  const without = request({ headers: [["accept", "application/json"]] });

  it("present holds when some header matches the name", () => {
    expect(holds({ headers: [{ name: "^x-debug$" }] }, withDebug)).toBe(true);
    expect(holds({ headers: [{ name: "^x-debug$" }] }, without)).toBe(false);
  });

  it("absent holds when no header matches", () => {
    const rule = { headers: [{ name: "^x-debug$", presence: "absent" }] };
    expect(holds(rule, withDebug)).toBe(false);
    expect(holds(rule, without)).toBe(true);
  });

  it("matches names without regard to case, whatever the flags", () => {
    const mixed = request({ headers: [["X-Debug", "on"]] });
    expect(holds({ headers: [{ name: "^x-debug$" }] }, mixed)).toBe(true);
    expect(holds({ headers: [{ name: "^X-DEBUG$" }] }, withDebug)).toBe(true);
  });

  it("needs name and value on the same header", () => {
    const rule = { headers: [{ name: "^x-debug$", value: "^on$" }] };
    expect(holds(rule, withDebug)).toBe(true);
    expect(
      holds(
        rule,
        request({
          headers: [
            ["x-debug", "off"],
            ["x-other", "on"],
          ],
        }),
      ),
    ).toBe(false);
  });

  it("absent with a value holds when no header has that name and value", () => {
    const rule = { headers: [{ name: "^x-debug$", value: "^on$", presence: "absent" }] };
    expect(holds(rule, request({ headers: [["x-debug", "off"]] }))).toBe(true);
    expect(holds(rule, withDebug)).toBe(false);
  });

  it("compares values with case only when regexFlags has no i", () => {
    const upper = request({ headers: [["x-debug", "ON"]] });
    expect(holds({ headers: [{ name: "x-debug", value: "^on$" }] }, upper)).toBe(false);
    expect(holds({ headers: [{ name: "x-debug", value: "^on$" }], regexFlags: "i" }, upper)).toBe(
      true,
    );
  });

  it("needs every condition to hold", () => {
    const rule = { headers: [{ name: "^x-debug$" }, { name: "^x-trace$" }] };
    expect(holds(rule, withDebug)).toBe(false);
    expect(
      holds(
        rule,
        request({
          headers: [
            ["x-debug", "1"],
            ["x-trace", "1"],
          ],
        }),
      ),
    ).toBe(true);
  });
});

describe("query", () => {
  const rule = { query: [{ name: "^token$", value: "^s3cr" }] };

  it("present and absent on name and value", () => {
    expect(holds(rule, request({ query: [["token", "s3cret"]] }))).toBe(true);
    expect(holds(rule, request({ query: [["token", "other"]] }))).toBe(false);
    const absent = { query: [{ name: "^page$", presence: "absent" }] };
    expect(holds(absent, request({ query: [["page", "2"]] }))).toBe(false);
    expect(holds(absent, request({ query: [["size", "2"]] }))).toBe(true);
  });

  it("compares names with case unless regexFlags has i", () => {
    expect(holds(rule, request({ query: [["TOKEN", "s3cret"]] }))).toBe(false);
    expect(holds({ ...rule, regexFlags: "i" }, request({ query: [["TOKEN", "S3CRET"]] }))).toBe(
      true,
    );
  });
});

describe("several conditions", () => {
  it("hold together or not at all", () => {
    const rule = { methods: ["POST"], pathPattern: "^/orders", headers: [{ name: "x-debug" }] };
    const all = request({ method: "POST", path: "/orders", headers: [["x-debug", "1"]] });
    expect(holds(rule, all)).toBe(true);
    expect(holds(rule, { ...all, method: "GET" })).toBe(false);
    expect(holds(rule, { ...all, path: "/users" })).toBe(false);
    expect(holds(rule, { ...all, headers: [] })).toBe(false);
  });

  it("a rule without conditions holds for every request", () => {
    expect(holds({}, request())).toBe(true);
    expect(holds({}, request({ method: "DELETE", path: "/anything" }))).toBe(true);
  });
});

describe("a catastrophic pattern", () => {
  // Compiled outside the clock: what must stay fast is evaluation.
  const timedDecision = (input: Record<string, unknown>, req: RuleRequest) => {
    const scopes = onlyScope("proxy", [rule({ effect: "deny", ...input })]);
    evaluate(scopes, request({ path: "/aaaa!", headers: [["x-long", "aaaa!"]] }));
    const started = performance.now();
    const decision = evaluate(scopes, req);
    return { allowed: decision.allowed, ms: performance.now() - started };
  };

  it("(a+)+$ runs in linear time on a 100 000-character path", () => {
    const long = request({ path: `/${"a".repeat(100_000)}!` });

    const { allowed, ms } = timedDecision({ pathPattern: "(a+)+$" }, long);

    expect(allowed).toBe(true);
    expect(ms).toBeLessThan(100);
  });

  it("(a|aa)+$ runs in linear time on a 100 000-character header value", () => {
    const long = request({ headers: [["x-long", `${"a".repeat(100_000)}!`]] });

    const { allowed, ms } = timedDecision(
      { headers: [{ name: "x-long", value: "^(a|aa)+$" }] },
      long,
    );

    expect(allowed).toBe(true);
    expect(ms).toBeLessThan(100);
  });

  it("still matches when the input does fit", () => {
    const { allowed } = timedDecision(
      { pathPattern: "(a+)+$" },
      request({ path: `/${"a".repeat(100_000)}` }),
    );
    expect(allowed).toBe(false);
  });
});
