/**
 * Rules through the Core API (spec §2 "Rule", §3): their lifecycle under
 * each kind of owner, the spellings accepted on input, warnings, refusals
 * that write nothing, partial updates, tenant isolation and listing order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedPGlite } from "../support/stores.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";

let ferry: TestFerry;
let setup: Awaited<ReturnType<typeof createIntegration>>;

beforeAll(async () => {
  ferry = await startTestFerry();
  setup = await createIntegration(ferry, "https://api.example.com/v1");
});
afterAll(async () => {
  await ferry?.close();
  await closeSharedPGlite();
});

const eventCount = async () =>
  Number(
    (await ferry.sql.query<{ n: string }>("select count(*) as n from ferry_events")).rows[0]!.n,
  );

/** The rules path of each kind of owner in the integration. */
const owners = () => [
  { kind: "proxy", path: `${setup.base}/proxies/${setup.proxy.proxyId}/rules` },
  {
    kind: "proxy credential",
    path: `${setup.base}/credentials/${setup.proxyCredential.credentialId}/rules`,
  },
  {
    kind: "target credential",
    path: `${setup.base}/credentials/${setup.targetCredential.credentialId}/rules`,
  },
  { kind: "target", path: `${setup.base}/targets/${setup.target.targetId}/rules` },
];

const must = async (method: string, path: string, body?: unknown, status = 201) => {
  const answer = await ferry.api(method, path, body);
  if (answer.status !== status)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** A target of the integration's client that no proxy uses, with its rules path. */
const spareTarget = async () => {
  const target = await must("POST", `${setup.base}/targets`, {
    targetName: "Spare",
    baseURL: "https://spare.example.com",
  });
  return { target, rules: `${setup.base}/targets/${target.targetId}/rules` };
};

describe("rule lifecycle", () => {
  for (const index of [0, 1, 2, 3]) {
    it(`adds, reads, lists, changes and removes a rule of a ${["proxy", "proxy credential", "target credential", "target"][index]}`, async () => {
      const { path } = owners()[index]!;

      const created = await ferry.api("POST", path, {
        effect: "deny",
        priority: 100,
        notes: "no admin writes",
        methods: ["post", "DELETE"],
        pathPattern: "^/admin",
        headers: [{ name: "^x-tenant$", value: "^internal$", presence: "absent" }],
      });
      expect(created.status).toBe(201);
      const rule = created.body;
      expect(rule).toEqual({
        ruleId: expect.stringMatching(/^rul_[0-9A-HJKMNP-TV-Z]{26}$/),
        effect: "deny",
        priority: 100,
        notes: "no admin writes",
        methods: ["POST", "DELETE"],
        pathPattern: "^/admin",
        pathPresence: "present",
        headers: [{ name: "^x-tenant$", value: "^internal$", presence: "absent" }],
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        updatedAt: rule.createdAt,
      });
      expect(rule.warnings).toBeUndefined();

      const read = await ferry.api("GET", `${path}/${rule.ruleId}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(rule);
      expect((await ferry.api("GET", path)).body).toEqual([rule]);
      expect((await ferry.api("GET", `/api${path}/${rule.ruleId}`)).body).toEqual(rule);

      const changed = await ferry.api("PUT", `${path}/${rule.ruleId}`, { effect: "allow" });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ ...rule, effect: "allow", updatedAt: expect.any(String) });
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(rule.updatedAt));
      expect((await ferry.api("GET", `${path}/${rule.ruleId}`)).body).toEqual(changed.body);

      const removed = await ferry.api("DELETE", `${path}/${rule.ruleId}`);
      expect(removed.status).toBe(204);
      expect(removed.body).toBeNull();
      const gone = await ferry.api("GET", `${path}/${rule.ruleId}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe("not_found");
      expect((await ferry.api("GET", path)).body).toEqual([]);
      expect((await ferry.api("DELETE", `${path}/${rule.ruleId}`)).status).toBe(404);
      expect((await ferry.api("PUT", `${path}/${rule.ruleId}`, { priority: 1 })).status).toBe(404);
    });
  }

  it("answers every rule route under the /api prefix", async () => {
    const path = `/api${owners()[0]!.path}`;
    const created = await ferry.api("POST", path, { effect: "deny", pathPattern: "^/api-only" });
    expect(created.status).toBe(201);
    expect((await ferry.api("GET", path)).body).toEqual([created.body]);
    expect((await ferry.api("PUT", `${path}/${created.body.ruleId}`, { priority: 3 })).status).toBe(
      200,
    );
    expect((await ferry.api("DELETE", `${path}/${created.body.ruleId}`)).status).toBe(204);
  });

  it("answers the fields in the flat spelling's order, as read back from the store", async () => {
    const path = owners()[0]!.path;
    const created = await must("POST", path, {
      rateLimit: { window: "hour", limit: 100 },
      query: [{ presence: "present", value: "^1$", name: "^debug$" }],
      regexFlags: "i",
      pathPattern: "^/reports",
      methodPattern: "GET|HEAD",
      priority: 7,
      effect: "deny",
    });
    const read = await must("GET", `${path}/${created.ruleId}`, undefined, 200);

    expect(Object.keys(read)).toEqual([
      "ruleId",
      "effect",
      "priority",
      "methodPattern",
      "methodPresence",
      "pathPattern",
      "pathPresence",
      "query",
      "regexFlags",
      "rateLimit",
      "createdAt",
      "updatedAt",
    ]);
    expect(Object.keys(read.query[0])).toEqual(["name", "value", "presence"]);
    expect(Object.keys(read.rateLimit)).toEqual(["limit", "window"]);
    await must("DELETE", `${path}/${created.ruleId}`, undefined, 204);
  });

  it("answers 404 for the rules of a deleted owner", async () => {
    const { target, rules } = await spareTarget();
    const rule = await must("POST", rules, { effect: "deny", pathPattern: "^/x" });
    await must("DELETE", `${setup.base}/targets/${target.targetId}`, undefined, 204);

    for (const [method, path] of [
      ["GET", rules],
      ["GET", `${rules}/${rule.ruleId}`],
      ["PUT", `${rules}/${rule.ruleId}`],
      ["DELETE", `${rules}/${rule.ruleId}`],
      ["POST", rules],
    ] as const) {
      const answer = await ferry.api(method, path, method === "GET" ? undefined : { priority: 1 });
      expect(answer.status).toBe(404);
    }
  });
});

describe("rule spellings", () => {
  const flat = {
    effect: "deny",
    priority: 5,
    methodPattern: "DELETE|PUT",
    methodPresence: "present",
    pathPattern: "^/admin",
    pathPresence: "absent",
    headers: [{ name: "^x-debug$", presence: "present" }],
  };

  const spellings: [string, Record<string, unknown>][] = [
    ["flat", flat],
    [
      "nested",
      {
        effect: "deny",
        priority: 5,
        method: { pattern: "DELETE|PUT", presence: "must_exist" },
        path: { pattern: "^/admin", presence: "must_not_exist" },
        headerChecks: [{ headerName: "^x-debug$" }],
      },
    ],
    [
      "prefixed",
      {
        ruleEffect: "DENY",
        rulePriority: 5,
        ruleMethodPattern: "DELETE|PUT",
        rulePathPattern: "^/admin",
        rulePathPresence: "absent",
        ruleHeaders: [{ name: "^x-debug$", presence: "must_exist" }],
      },
    ],
  ];

  for (const [name, input] of spellings) {
    it(`reads the ${name} spelling and answers the flat one`, async () => {
      const path = owners()[1]!.path;
      const created = await ferry.api("POST", path, input);
      expect(created.status).toBe(201);

      const { ruleId, createdAt, updatedAt, ...fields } = created.body;
      expect(fields).toEqual(flat);
      expect(createdAt).toBe(updatedAt);
      await must("DELETE", `${path}/${ruleId}`, undefined, 204);
    });
  }

  it("refuses a field given twice with different values, naming it", async () => {
    const before = await eventCount();
    const answer = await ferry.api("POST", owners()[1]!.path, {
      effect: "deny",
      pathPattern: "^/a",
      path: { pattern: "^/b" },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      "pathPattern",
    ]);
    expect(await eventCount()).toBe(before);
  });
});

describe("rule warnings", () => {
  it("accepts a rule with no condition, warning that it decides all traffic", async () => {
    const path = owners()[3]!.path;
    const deny = await ferry.api("POST", path, { effect: "deny" });

    expect(deny.status).toBe(201);
    expect(deny.body.warnings).toEqual([expect.stringContaining("denies all traffic")]);
    const { warnings: _warnings, ...stored } = deny.body;
    expect((await ferry.api("GET", `${path}/${deny.body.ruleId}`)).body).toEqual(stored);

    const allow = await ferry.api("POST", path, { effect: "allow", priority: 1 });
    expect(allow.body.warnings).toEqual([expect.stringContaining("allows all traffic")]);

    for (const rule of [deny.body, allow.body])
      await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });

  it("warns when a change leaves a rule with no condition", async () => {
    const path = owners()[3]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/admin" });
    const changed = await ferry.api("PUT", `${path}/${rule.ruleId}`, { pathPattern: null });

    expect(changed.status).toBe(200);
    expect(changed.body.pathPattern).toBeUndefined();
    expect(changed.body.pathPresence).toBeUndefined();
    expect(changed.body.warnings).toEqual([expect.stringContaining("denies all traffic")]);
    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });
});

describe("refused rules", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "an unclosed group",
      { effect: "deny", pathPattern: "(admin" },
      "invalid_pattern",
      "pathPattern",
    ],
    [
      "a backreference the linear-time engine cannot run",
      { effect: "deny", pathPattern: "(a)\\1" },
      "invalid_pattern",
      "pathPattern",
    ],
    [
      "a bad header value pattern",
      { effect: "deny", headers: [{ name: "^x-a$" }, { name: "^x-b$", value: "[" }] },
      "invalid_pattern",
      "headers[1].value",
    ],
    [
      "a bad nested method pattern",
      { effect: "deny", method: { pattern: "*GET" } },
      "invalid_pattern",
      "methodPattern",
    ],
    ["no effect", { pathPattern: "^/admin" }, "invalid_input", "effect"],
    ["an unknown effect", { effect: "block" }, "invalid_input", "effect"],
    ["a priority out of range", { effect: "deny", priority: 1001 }, "invalid_input", "priority"],
    [
      "an unknown presence",
      { effect: "deny", pathPattern: "^/a", pathPresence: "maybe" },
      "invalid_input",
      "pathPresence",
    ],
    [
      "a rate limit window that does not exist",
      { effect: "deny", rateLimit: { limit: 10, window: "week" } },
      "invalid_input",
      "rateLimit.window",
    ],
  ];

  for (const [name, input, code, field] of cases) {
    it(`refuses ${name} with 400 naming ${field}, writing nothing`, async () => {
      const path = owners()[0]!.path;
      const before = await eventCount();
      const answer = await ferry.api("POST", path, input);

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(code);
      expect(answer.body.error.details[0].field).toBe(field);
      expect(answer.body.error.message).toContain(field);
      expect(await eventCount()).toBe(before);
      expect((await ferry.api("GET", path)).body).toEqual([]);
    });
  }

  it("refuses malformed and non-object bodies", async () => {
    const path = owners()[0]!.path;
    const before = await eventCount();

    expect((await ferry.api("POST", path, "{nope")).body.error.code).toBe("malformed_json");
    for (const body of ["[1]", "null", "42", ""])
      expect((await ferry.api("POST", path, body)).status).toBe(400);
    expect(await eventCount()).toBe(before);
  });

  it("refuses an invalid change, leaving the rule as it was", async () => {
    const path = owners()[0]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/admin" });
    const before = await eventCount();

    const answer = await ferry.api("PUT", `${path}/${rule.ruleId}`, {
      priority: 9,
      pathPattern: "(?<=x)admin",
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      "pathPattern",
    ]);
    expect(await eventCount()).toBe(before);
    expect((await ferry.api("GET", `${path}/${rule.ruleId}`)).body).toEqual(rule);

    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });

  it(`refuses a 101st rule on one owner with 422 too_many_rules`, async () => {
    const { rules } = await spareTarget();
    for (let n = 0; n < 100; n++)
      await must("POST", rules, { effect: "deny", pathPattern: `^/${n}` });
    const before = await eventCount();

    const answer = await ferry.api("POST", rules, { effect: "deny", pathPattern: "^/one-more" });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe("too_many_rules");
    expect(await eventCount()).toBe(before);
    expect((await ferry.api("GET", rules)).body).toHaveLength(100);
  });

  it("refuses changes through a read-only token, which can still read", async () => {
    const path = owners()[0]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/ro" });
    const token = (await must("POST", "/users/me/tokens", { tokenName: "ro", readOnly: true }))
      .token as string;
    const before = await eventCount();

    expect((await ferry.api("GET", path, undefined, token)).body).toEqual([rule]);
    for (const [method, target] of [
      ["POST", path],
      ["PUT", `${path}/${rule.ruleId}`],
      ["DELETE", `${path}/${rule.ruleId}`],
    ] as const) {
      const answer = await ferry.api(method, target, { effect: "allow" }, token);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe("read_only_token");
    }
    expect(await eventCount()).toBe(before);
    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });
});

describe("partial changes", () => {
  it("changes only the fields given, and null clears one", async () => {
    const path = owners()[2]!.path;
    const rule = await must("POST", path, {
      effect: "deny",
      priority: 10,
      notes: "first",
      methods: ["GET"],
      pathPattern: "^/reports",
      query: [{ name: "^export$" }],
    });

    const renoted = await must("PUT", `${path}/${rule.ruleId}`, { notes: "second" }, 200);
    expect(renoted).toEqual({ ...rule, notes: "second", updatedAt: expect.any(String) });

    const respelled = await must(
      "PUT",
      `${path}/${rule.ruleId}`,
      { path: { presence: "must_not_exist" }, rulePriority: 20 },
      200,
    );
    expect(respelled).toEqual({
      ...renoted,
      priority: 20,
      pathPresence: "absent",
      updatedAt: expect.any(String),
    });

    const cleared = await must(
      "PUT",
      `${path}/${rule.ruleId}`,
      { methods: null, notes: null },
      200,
    );
    const { methods: _methods, notes: _notes, ...rest } = respelled;
    expect(cleared).toEqual({ ...rest, updatedAt: expect.any(String) });
    expect((await ferry.api("GET", `${path}/${rule.ruleId}`)).body).toEqual(cleared);

    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });

  it("re-checks every pattern against changed flags", async () => {
    const path = owners()[2]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/Admin" });
    const flagged = await must("PUT", `${path}/${rule.ruleId}`, { regexFlags: "i" }, 200);

    expect(flagged).toMatchObject({ pathPattern: "^/Admin", regexFlags: "i" });
    const refused = await ferry.api("PUT", `${path}/${rule.ruleId}`, { regexFlags: "y" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { field: "regexFlags", message: expect.any(String) },
    ]);

    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });

  it("writes nothing when a change changes nothing", async () => {
    const path = owners()[2]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/same" });
    const before = await eventCount();

    const same = await must("PUT", `${path}/${rule.ruleId}`, { effect: "deny", priority: 0 }, 200);
    expect(same).toEqual(rule);
    expect(await eventCount()).toBe(before);

    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });
});

describe("tenant isolation", () => {
  it("answers 404 for another client's owners and rules, exactly as for missing ones", async () => {
    const path = owners()[0]!.path;
    const rule = await must("POST", path, { effect: "deny", pathPattern: "^/secret-area" });

    const other = await must("POST", "/users", { userName: "Other tenant" });
    const token = other.token as string;
    const theirs = await createIntegration(ferry, "https://api.example.com", { token });
    const before = await eventCount();
    const as = (method: string, target: string, body?: unknown) =>
      ferry.api(method, target, body, token);

    // Our client, under our path: the client itself is not theirs.
    expect((await as("GET", path)).status).toBe(404);

    // Our proxy under their client answers like a proxy that does not exist.
    const foreignOwner = `${theirs.base}/proxies/${setup.proxy.proxyId}/rules`;
    const missingOwner = `${theirs.base}/proxies/prx_01J0000000000000000000000X/rules`;
    const missing = await as("GET", missingOwner);
    expect(missing.status).toBe(404);
    for (const [method, target] of [
      ["GET", foreignOwner],
      ["POST", foreignOwner],
      ["GET", `${foreignOwner}/${rule.ruleId}`],
      ["PUT", `${foreignOwner}/${rule.ruleId}`],
      ["DELETE", `${foreignOwner}/${rule.ruleId}`],
    ] as const) {
      const answer = await as(method, target, method === "GET" ? undefined : { effect: "allow" });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(missing.body);
    }

    // Our rule under their own proxy answers like a rule that does not exist.
    const theirRules = `${theirs.base}/proxies/${theirs.proxy.proxyId}/rules`;
    const missingRule = await as("GET", `${theirRules}/rul_01J0000000000000000000000X`);
    expect(missingRule.status).toBe(404);
    for (const method of ["GET", "PUT", "DELETE"]) {
      const answer = await as(
        method,
        `${theirRules}/${rule.ruleId}`,
        method === "PUT" ? { effect: "allow" } : undefined,
      );
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(missingRule.body);
    }
    expect((await as("GET", theirRules)).body).toEqual([]);

    expect(await eventCount()).toBe(before);
    expect((await ferry.api("GET", `${path}/${rule.ruleId}`)).body).toEqual(rule);
    await must("DELETE", `${path}/${rule.ruleId}`, undefined, 204);
  });

  it("answers 404 for a rule under another owner of the same client", async () => {
    const [proxy, , , target] = owners();
    const rule = await must("POST", proxy!.path, { effect: "deny", pathPattern: "^/p" });

    expect((await ferry.api("GET", `${target!.path}/${rule.ruleId}`)).status).toBe(404);
    expect((await ferry.api("DELETE", `${target!.path}/${rule.ruleId}`)).status).toBe(404);
    expect((await ferry.api("GET", `${proxy!.path}/${rule.ruleId}`)).status).toBe(200);
    await must("DELETE", `${proxy!.path}/${rule.ruleId}`, undefined, 204);
  });
});

describe("listing order", () => {
  it("lists by priority, highest first, then oldest first, and follows changes", async () => {
    const path = owners()[1]!.path;
    const added = [];
    for (const [n, priority] of [0, 500, 10, 500, 0].entries())
      added.push(await must("POST", path, { effect: "allow", priority, pathPattern: `^/${n}` }));
    const ids = added.map((rule) => rule.ruleId as string);

    const listed = await must("GET", path, undefined, 200);
    expect(listed.map((rule: { ruleId: string }) => rule.ruleId)).toEqual([
      ids[1],
      ids[3],
      ids[2],
      ids[0],
      ids[4],
    ]);

    await must("PUT", `${path}/${ids[4]}`, { priority: 1000 }, 200);
    await must("PUT", `${path}/${ids[1]}`, { priority: 10 }, 200);
    const relisted = await must("GET", path, undefined, 200);
    expect(relisted.map((rule: { ruleId: string }) => rule.ruleId)).toEqual([
      ids[4],
      ids[3],
      ids[1],
      ids[2],
      ids[0],
    ]);

    for (const id of ids) await must("DELETE", `${path}/${id}`, undefined, 204);
  });
});

describe("credential default effect", () => {
  it("defaults to allow, takes deny, and changes with PUT", async () => {
    const credentials = `${setup.base}/credentials`;
    expect(setup.proxyCredential.defaultEffect).toBe("allow");

    const denying = await must("POST", credentials, {
      credentialName: "locked",
      credentialType: "target",
      authType: "bearer",
      defaultEffect: "deny",
      secret: { token: "tk_locked" },
    });
    expect(denying.defaultEffect).toBe("deny");

    const prefixed = await must("POST", credentials, {
      credentialName: "prefixed",
      credentialType: "target",
      authType: "none",
      credentialDefaultEffect: "deny",
    });
    expect(prefixed.defaultEffect).toBe("deny");

    const opened = await must(
      "PUT",
      `${credentials}/${denying.credentialId}`,
      { defaultEffect: "allow" },
      200,
    );
    expect(opened.defaultEffect).toBe("allow");
    expect(
      (await must("GET", `${credentials}/${denying.credentialId}`, undefined, 200)).defaultEffect,
    ).toBe("allow");

    const before = await eventCount();
    const refused = await ferry.api("PUT", `${credentials}/${denying.credentialId}`, {
      defaultEffect: "block",
    });
    expect(refused.status).toBe(400);
    expect(await eventCount()).toBe(before);
  });
});

describe("OpenAPI document", () => {
  it("lists the rule routes of every kind of owner", async () => {
    const document = await must("GET", "/openapi.json", undefined, 200);
    for (const [segment, param] of [
      ["proxies", "proxyId"],
      ["credentials", "credentialId"],
      ["targets", "targetId"],
    ]) {
      const rules = `/clients/{clientId}/${segment}/{${param}}/rules`;
      expect(Object.keys(document.paths[rules])).toEqual(["get", "post"]);
      expect(Object.keys(document.paths[`${rules}/{ruleId}`])).toEqual(["get", "put", "delete"]);
    }
  });
});
