import { describe, expect, it } from "vitest";
import { parseRuleInput } from "./parseRule.ts";
import type { RuleFields } from "./rule.ts";

const fields = (input: unknown) => parseRuleInput(input, "create")._unsafeUnwrap().fields;
const warnings = (input: unknown) => parseRuleInput(input, "create")._unsafeUnwrap().warnings;
const refusal = (input: unknown) => parseRuleInput(input, "create")._unsafeUnwrapErr();
const badFields = (input: unknown) =>
  (refusal(input).details?.issues as { field: string }[]).map((issue) => issue.field);

describe("the flat spelling", () => {
  it("is answered as given, defaults applied", () => {
    expect(
      fields({
        effect: "deny",
        priority: 900,
        notes: "no deletes",
        methods: ["DELETE"],
        methodPattern: "PUT|PATCH",
        pathPattern: "^/users/",
        pathPresence: "present",
        headers: [{ name: "^x-debug$", value: "1", presence: "absent" }],
        query: [{ name: "^dryRun$" }],
        regexFlags: "i",
        rateLimit: { limit: 100, window: "hour" },
      }),
    ).toEqual({
      effect: "deny",
      priority: 900,
      notes: "no deletes",
      methods: ["DELETE"],
      methodPattern: "PUT|PATCH",
      methodPresence: "present",
      pathPattern: "^/users/",
      pathPresence: "present",
      headers: [{ name: "^x-debug$", value: "1", presence: "absent" }],
      query: [{ name: "^dryRun$", presence: "present" }],
      regexFlags: "i",
      rateLimit: { limit: 100, window: "hour" },
    });
  });

  it("defaults priority to 0 and leaves out conditions not given", () => {
    expect(fields({ effect: "allow", pathPattern: "^/public" })).toEqual({
      effect: "allow",
      priority: 0,
      pathPattern: "^/public",
      pathPresence: "present",
    });
  });

  it("reads empty strings, empty lists and null as no condition", () => {
    expect(
      fields({
        effect: "allow",
        pathPattern: "",
        pathPresence: "present",
        methodPattern: null,
        methods: [],
        headers: [],
        regexFlags: "",
        notes: "",
      }),
    ).toEqual({ effect: "allow", priority: 0 });
  });

  it("upper-cases methods and drops duplicates", () => {
    expect(fields({ effect: "deny", methods: ["delete", "Delete", "put"] }).methods).toEqual([
      "DELETE",
      "PUT",
    ]);
  });

  it("accepts must_exist and must_not_exist, and effects in any case", () => {
    const parsed = fields({
      effect: "DENY",
      pathPattern: "^/a",
      pathPresence: "must_not_exist",
      headers: [{ name: "x", presence: "must_exist" }],
    });
    expect(parsed).toMatchObject({
      effect: "deny",
      pathPresence: "absent",
      headers: [{ name: "x", presence: "present" }],
    });
  });

  it("ignores fields it does not know", () => {
    expect(fields({ effect: "allow", colour: "blue" })).toEqual({ effect: "allow", priority: 0 });
  });
});

describe("other spellings", () => {
  it("reads the nested path and method objects", () => {
    expect(
      fields({
        effect: "deny",
        priority: 900,
        methods: ["DELETE"],
        path: { pattern: "^/api/users/", presence: "present" },
        method: { pattern: "DELETE", presence: "must_exist" },
      }),
    ).toMatchObject({
      pathPattern: "^/api/users/",
      pathPresence: "present",
      methodPattern: "DELETE",
      methodPresence: "present",
    });
  });

  it("reads the rule-prefixed names and headerChecks / queryChecks", () => {
    expect(
      fields({
        ruleEffect: "deny",
        rulePriority: 5,
        rulePathPattern: "^/a",
        rulePathPresence: "absent",
        ruleMethods: ["get"],
        ruleRegexFlags: "i",
        headerChecks: [{ namePattern: "^x-a$", valuePattern: "1", presence: "present" }],
        queryChecks: [{ paramName: "^q$" }],
      }),
    ).toEqual({
      effect: "deny",
      priority: 5,
      methods: ["GET"],
      pathPattern: "^/a",
      pathPresence: "absent",
      headers: [{ name: "^x-a$", value: "1", presence: "present" }],
      query: [{ name: "^q$", presence: "present" }],
      regexFlags: "i",
    });
  });

  it("accepts one field under two spellings when they agree", () => {
    expect(
      fields({ effect: "deny", ruleEffect: "deny", pathPattern: "^/a", path: { pattern: "^/a" } }),
    ).toMatchObject({ effect: "deny", pathPattern: "^/a" });
  });

  it("refuses one field under two spellings that disagree", () => {
    const error = refusal({ effect: "deny", pathPattern: "^/a", path: { pattern: "^/b" } });
    expect(error.code).toBe("invalid_input");
    expect(error.details?.field).toBe("pathPattern");
  });

  it("reads a nested path or method given as a bare pattern", () => {
    expect(fields({ effect: "deny", path: "^/admin", method: "DELETE" })).toMatchObject({
      pathPattern: "^/admin",
      pathPresence: "present",
      methodPattern: "DELETE",
    });
  });

  it("refuses a nested path that is not an object", () => {
    expect(badFields({ effect: "deny", path: 42 })).toEqual(["path"]);
  });
});

describe("refusals name the field", () => {
  it("effect: missing or unknown", () => {
    expect(badFields({ pathPattern: "^/a" })).toEqual(["effect"]);
    expect(badFields({ effect: "maybe" })).toEqual(["effect"]);
  });

  it("presence: unknown values, at the top and in conditions", () => {
    expect(badFields({ effect: "deny", pathPattern: "^/a", pathPresence: "sometimes" })).toEqual([
      "pathPresence",
    ]);
    expect(
      badFields({ effect: "deny", query: [{ name: "a" }, { name: "b", presence: "no" }] }),
    ).toEqual(["query[1].presence"]);
  });

  it("priority outside 0..1000 or not an integer", () => {
    expect(badFields({ effect: "deny", priority: 1001 })).toEqual(["priority"]);
    expect(badFields({ effect: "deny", priority: -1 })).toEqual(["priority"]);
    expect(badFields({ effect: "deny", priority: 1.5 })).toEqual(["priority"]);
    expect(badFields({ effect: "deny", priority: "5" })).toEqual(["priority"]);
  });

  it("methods that are not HTTP method names", () => {
    expect(badFields({ effect: "deny", methods: ["GET", "NOT A METHOD"] })).toEqual(["methods[1]"]);
    expect(badFields({ effect: "deny", methods: "GET" })).toEqual(["methods"]);
  });

  it("a condition without a name", () => {
    expect(badFields({ effect: "deny", headers: [{ value: "x" }] })).toEqual(["headers[0].name"]);
  });

  it("rate limits", () => {
    expect(badFields({ effect: "deny", rateLimit: { limit: 0, window: "hour" } })).toEqual([
      "rateLimit.limit",
    ]);
    expect(badFields({ effect: "deny", rateLimit: { limit: 5, window: "week" } })).toEqual([
      "rateLimit.window",
    ]);
  });

  it("input that is not an object", () => {
    expect(refusal([]).code).toBe("invalid_input");
    expect(refusal("deny").code).toBe("invalid_input");
  });
});

describe("patterns", () => {
  it("an invalid pattern is invalid_pattern naming each bad field", () => {
    const error = refusal({
      effect: "deny",
      pathPattern: "(unclosed",
      headers: [{ name: "ok" }, { name: "x", value: "[z-a]" }],
      query: [{ name: "a(?=b)" }],
    });
    expect(error.code).toBe("invalid_pattern");
    expect((error.details?.issues as { field: string }[]).map((issue) => issue.field)).toEqual([
      "pathPattern",
      "headers[1].value",
      "query[0].name",
    ]);
  });

  it("invalid_input when other fields are wrong too", () => {
    expect(refusal({ effect: "perhaps", pathPattern: "(" }).code).toBe("invalid_input");
  });

  it("refuses what the linear-time engine cannot run", () => {
    for (const pattern of ["a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>"]) {
      expect(badFields({ effect: "deny", methodPattern: pattern })).toEqual(["methodPattern"]);
    }
  });

  it("refuses JavaScript leniencies that RE2 would read differently", () => {
    for (const pattern of ["\\z", "\\A", "a{", "\\-"]) {
      expect(badFields({ effect: "deny", headers: [{ name: pattern }] })).toEqual([
        "headers[0].name",
      ]);
    }
  });

  it("accepts the JavaScript syntax people write", () => {
    for (const pattern of [
      "^/v1/users/\\d+$",
      "\\/admin\\/",
      "(?<id>[0-9]+)",
      "\\u{1F600}",
      "\\p{L}+",
    ]) {
      expect(fields({ effect: "deny", headers: [{ name: "x", value: pattern }] }).headers).toEqual([
        { name: "x", value: pattern, presence: "present" },
      ]);
    }
  });

  it("bounds their length and how far repetition expands them", () => {
    expect(badFields({ effect: "deny", pathPattern: "a".repeat(1001) })).toEqual(["pathPattern"]);
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`).join("|");
    expect(refusal({ effect: "deny", pathPattern: `(?:${words}){1000}` }).code).toBe(
      "invalid_pattern",
    );
  });

  it("bounds the number of conditions", () => {
    const many = Array.from({ length: 21 }, () => ({ name: "x" }));
    expect(badFields({ effect: "deny", headers: many })).toEqual(["headers"]);
  });
});

describe("path patterns that could never match the canonical path", () => {
  it("refuse non-ASCII characters, giving the encoded spelling", () => {
    const error = refusal({ effect: "deny", pathPattern: "^/café" });
    expect(error.code).toBe("invalid_pattern");
    expect(error.message).toContain("%C3%A9");
  });

  it("refuse encoded unreserved characters", () => {
    expect(refusal({ effect: "deny", pathPattern: "^/%61dmin" }).message).toContain("write a");
  });

  it("refuse lower-case hex, unless the rule ignores case", () => {
    expect(badFields({ effect: "deny", pathPattern: "^/caf%c3%a9" })).toEqual(["pathPattern"]);
    expect(
      fields({ effect: "deny", pathPattern: "^/caf%c3%a9", regexFlags: "i" }).pathPattern,
    ).toBe("^/caf%c3%a9");
    expect(fields({ effect: "deny", pathPattern: "^/caf%C3%A9" }).pathPattern).toBe("^/caf%C3%A9");
  });
});

describe("regexFlags", () => {
  it("keeps i, m and s, in that order, once each", () => {
    expect(fields({ effect: "deny", regexFlags: "smi" }).regexFlags).toBe("ims");
    expect(fields({ effect: "deny", regexFlags: "ii" }).regexFlags).toBe("i");
  });

  it("drops u, and g with a warning", () => {
    expect(
      fields({ effect: "deny", pathPattern: "a", regexFlags: "u" }).regexFlags,
    ).toBeUndefined();
    const parsed = parseRuleInput({ effect: "deny", pathPattern: "a", regexFlags: "gi" }, "create");
    expect(parsed._unsafeUnwrap().fields.regexFlags).toBe("i");
    expect(parsed._unsafeUnwrap().warnings.join(" ")).toContain("g has no meaning");
  });

  it("refuses y and unknown flags", () => {
    expect(badFields({ effect: "deny", regexFlags: "y" })).toEqual(["regexFlags"]);
    expect(badFields({ effect: "deny", regexFlags: "ix" })).toEqual(["regexFlags"]);
    expect(badFields({ effect: "deny", regexFlags: 1 })).toEqual(["regexFlags"]);
  });
});

describe("warnings", () => {
  it("a rule with no condition says it decides all traffic in its scope", () => {
    expect(warnings({ effect: "deny" })).toEqual([
      "this rule has no condition: it denies all traffic in its scope",
    ]);
    expect(warnings({ effect: "allow", notes: "open" })).toEqual([
      "this rule has no condition: it allows all traffic in its scope",
    ]);
  });

  it("a rate limit alone is not a missing condition", () => {
    expect(warnings({ effect: "deny", rateLimit: { limit: 100, window: "hour" } })).toEqual([]);
  });

  it("a rate-limited allow rule says what it means", () => {
    expect(warnings({ effect: "allow", rateLimit: { limit: 1, window: "day" } })[0]).toContain(
      "only the requests over the limit",
    );
  });

  it("a rule with a condition has none", () => {
    expect(warnings({ effect: "deny", methods: ["DELETE"] })).toEqual([]);
  });
});

describe("modes", () => {
  const current: RuleFields = {
    effect: "deny",
    priority: 10,
    notes: "old",
    pathPattern: "^/admin",
    pathPresence: "absent",
    methods: ["DELETE"],
  };
  const patch = (input: unknown) => parseRuleInput(input, "patch", current);

  it("replace needs the whole rule", () => {
    expect(
      parseRuleInput({ pathPattern: "^/a" }, "replace")._unsafeUnwrapErr().details?.field,
    ).toBe("effect");
  });

  it("patch changes only the fields given", () => {
    expect(patch({ pathPattern: "^/root" })._unsafeUnwrap().fields).toEqual({
      ...current,
      pathPattern: "^/root",
    });
    expect(patch({ ruleEffect: "allow" })._unsafeUnwrap().fields.effect).toBe("allow");
  });

  it("patch clears a field given as null, its presence with it", () => {
    expect(patch({ pathPattern: null, notes: null })._unsafeUnwrap().fields).toEqual({
      effect: "deny",
      priority: 10,
      methods: ["DELETE"],
    });
    expect(patch({ path: null })._unsafeUnwrap().fields.pathPresence).toBeUndefined();
  });

  it("patch re-checks the whole rule, so new flags re-check old patterns", () => {
    const lowerHex: RuleFields = {
      effect: "deny",
      priority: 0,
      pathPattern: "%c3",
      pathPresence: "present",
      regexFlags: "i",
    };
    expect(
      parseRuleInput({ regexFlags: null }, "patch", lowerHex)._unsafeUnwrapErr().details?.field,
    ).toBe("pathPattern");
  });

  it("patch warns when the result has no condition left", () => {
    expect(patch({ pathPattern: null, methods: null })._unsafeUnwrap().warnings).toEqual([
      "this rule has no condition: it denies all traffic in its scope",
    ]);
  });
});
