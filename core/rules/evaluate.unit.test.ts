import { describe, expect, it } from "vitest";
import type { ScopeRules } from "./evaluate.ts";
import { decide, matchScopes } from "./evaluate.ts";
import { SCOPES, type Scope } from "./rule.ts";
import { evaluate, onlyScope, request, rule } from "./ruleFixtures.ts";

const admin = request({ method: "DELETE", path: "/admin/users" });
const denyAdmin = (id = "rul_deny_admin", priority = 0) =>
  rule({ effect: "deny", pathPattern: "^/admin", priority, notes: "keep out" }, id);
const allowAll = (id = "rul_allow_all", priority = 0) => rule({ effect: "allow", priority }, id);

describe("each scope", () => {
  for (const scope of SCOPES) {
    it(`${scope}: a matching deny denies, naming the scope and rule`, () => {
      const decision = evaluate(onlyScope(scope, [denyAdmin()]), admin);
      expect(decision).toMatchObject({
        allowed: false,
        scope,
        ruleId: "rul_deny_admin",
        status: 403,
      });
    });

    it(`${scope}: a rule that does not match leaves the default to decide`, () => {
      const decision = evaluate(onlyScope(scope, [denyAdmin()]), request({ path: "/public" }));
      expect(decision.allowed).toBe(true);
      expect(decision.scopes.find((each) => each.scope === scope)).toMatchObject({
        effect: "allow",
        defaultUsed: true,
        ruleId: null,
        matched: [],
      });
    });

    it(`${scope}: a default deny denies with no rule named`, () => {
      const decision = evaluate(onlyScope(scope, [], "deny"), request());
      expect(decision).toMatchObject({ allowed: false, scope, ruleId: null, status: 403 });
    });
  }

  it("a request passes only when all four scopes allow", () => {
    const scopes: ScopeRules[] = SCOPES.map((scope) => ({
      scope,
      defaultEffect: "deny",
      rules: [allowAll(`rul_allow_${scope}`)],
    }));
    expect(evaluate(scopes, admin).allowed).toBe(true);

    const target = scopes[3] as ScopeRules;
    scopes[3] = { ...target, rules: [] };
    expect(evaluate(scopes, admin)).toMatchObject({
      allowed: false,
      scope: "target",
      ruleId: null,
    });
  });

  it("names the first denying scope in evaluation order", () => {
    const scopes: ScopeRules[] = SCOPES.map((scope) => ({
      scope,
      defaultEffect: "allow",
      rules: scope === "proxyCredential" ? [] : [denyAdmin(`rul_deny_${scope}`)],
    }));
    expect(evaluate(scopes, admin)).toMatchObject({
      scope: "targetCredential",
      ruleId: "rul_deny_targetCredential",
    });
  });
});

describe("within a scope", () => {
  it("a deny wins over an allow whatever their priorities", () => {
    const scopes = onlyScope("proxy", [allowAll("rul_allow", 1000), denyAdmin("rul_deny", 0)]);
    expect(evaluate(scopes, admin)).toMatchObject({ allowed: false, ruleId: "rul_deny" });
  });

  it("an allow wins over a deny default", () => {
    const scopes = onlyScope("proxy", [allowAll()], "deny");
    const decision = evaluate(scopes, admin);
    expect(decision.allowed).toBe(true);
    expect(decision.scopes[2]).toMatchObject({
      scope: "proxy",
      effect: "allow",
      defaultEffect: "deny",
      defaultUsed: false,
      ruleId: "rul_allow_all",
    });
  });

  it("lists matching rules by priority, highest first, ties by rule id", () => {
    const scopes = onlyScope("proxy", [
      denyAdmin("rul_c", 10),
      allowAll("rul_b", 500),
      denyAdmin("rul_a", 10),
      denyAdmin("rul_d", 900),
      rule({ effect: "deny", pathPattern: "^/never" }, "rul_e"),
    ]);
    const decision = evaluate(scopes, admin);
    expect(decision.scopes[2]?.matched.map((each) => each.ruleId)).toEqual([
      "rul_d",
      "rul_b",
      "rul_a",
      "rul_c",
    ]);
    expect(decision).toMatchObject({ allowed: false, ruleId: "rul_d" });
  });

  it("priority never changes a decision", () => {
    for (const [allowPriority, denyPriority] of [
      [0, 1000],
      [1000, 0],
      [500, 500],
    ] as const) {
      const scopes = onlyScope("proxy", [
        allowAll("rul_allow", allowPriority),
        denyAdmin("rul_deny", denyPriority),
      ]);
      expect(evaluate(scopes, admin).allowed).toBe(false);
      expect(evaluate(scopes, request({ path: "/public" })).allowed).toBe(true);
    }
  });
});

describe("the denial", () => {
  it("carries ids, effects and priorities, never patterns or notes", () => {
    const decision = evaluate(onlyScope("proxy", [denyAdmin()]), admin);
    const text = JSON.stringify(decision);
    expect(text).not.toContain("^/admin");
    expect(text).not.toContain("keep out");
    expect(text).toContain("rul_deny_admin");
  });
});

describe("rate-limited rules", () => {
  const limited = (effect: "allow" | "deny", id: string, extra: Record<string, unknown> = {}) =>
    rule({ effect, rateLimit: { limit: 100, window: "hour" }, ...extra }, id);

  it("are counted when their other conditions hold, and match only once exceeded", () => {
    const scopes = onlyScope("target", [limited("deny", "rul_limit", { methods: ["POST"] })]);
    const post = request({ method: "POST" });

    const matches = matchScopes(scopes, post);
    expect(matches[3]?.counted.map((each) => each.ruleId)).toEqual(["rul_limit"]);
    expect(matches[3]?.matched).toEqual([]);
    expect(matchScopes(scopes, request({ method: "GET" }))[3]?.counted).toEqual([]);

    expect(decide(matches, new Map()).allowed).toBe(true);
    expect(decide(matches, new Map([["rul_limit", 120]]))).toMatchObject({
      allowed: false,
      scope: "target",
      ruleId: "rul_limit",
      status: 429,
      retryAfterSeconds: 120,
    });
  });

  it("a plain deny in the same scope answers 403, naming itself", () => {
    const scopes = onlyScope("proxy", [
      limited("deny", "rul_limit", { priority: 1000 }),
      denyAdmin(),
    ]);
    expect(evaluate(scopes, admin, new Map([["rul_limit", 5]]))).toMatchObject({
      status: 403,
      ruleId: "rul_deny_admin",
    });
  });

  it("a 403 in a later scope is reported before a 429 in an earlier one", () => {
    const scopes: ScopeRules[] = onlyScope("proxyCredential", [limited("deny", "rul_limit")]);
    scopes[3] = { scope: "target", defaultEffect: "allow", rules: [denyAdmin()] };
    expect(evaluate(scopes, admin, new Map([["rul_limit", 5]]))).toMatchObject({
      scope: "target",
      status: 403,
    });
  });

  it("Retry-After is the longest wait among the denying windows", () => {
    const scopes: ScopeRules[] = onlyScope("proxyCredential", [limited("deny", "rul_a")]);
    scopes[1] = {
      scope: "targetCredential",
      defaultEffect: "allow",
      rules: [limited("deny", "rul_b")],
    };
    const exceeded = new Map([
      ["rul_a", 30],
      ["rul_b", 3000],
    ]);
    expect(evaluate(scopes, admin, exceeded)).toMatchObject({
      scope: "proxyCredential",
      status: 429,
      retryAfterSeconds: 3000,
    });
  });

  it("an exceeded allow allows over a deny default, as the spec reads", () => {
    const scopes = onlyScope("proxy", [limited("allow", "rul_allow_over")], "deny");
    expect(evaluate(scopes, admin).allowed).toBe(false);
    expect(evaluate(scopes, admin, new Map([["rul_allow_over", 5]])).allowed).toBe(true);
  });

  it("the explanation shows what was counted and what matched", () => {
    const scopes = onlyScope("proxy", [limited("deny", "rul_limit")]);
    const explained = evaluate(scopes, admin, new Map([["rul_limit", 7]])).scopes[2];
    expect(explained).toMatchObject({
      effect: "deny",
      countedRuleIds: ["rul_limit"],
      matched: [{ ruleId: "rul_limit", effect: "deny", priority: 0, rateLimited: true }],
      rateLimited: true,
      retryAfterSeconds: 7,
    });
  });
});

describe("scopes given", () => {
  it("are answered in the order given, one decision each", () => {
    const scopes: ScopeRules[] = (["target", "proxy"] as Scope[]).map((scope) => ({
      scope,
      defaultEffect: "allow",
      rules: [],
    }));
    expect(evaluate(scopes, admin).scopes.map((each) => each.scope)).toEqual(["target", "proxy"]);
  });
});
