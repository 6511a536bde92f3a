/**
 * Writers racing on one aggregate through the Core API, on server Postgres
 * where their transactions really run side by side (the embedded store has
 * one connection): every write either lands once or is refused by the
 * domain, none is lost or overwritten (spec §6), and a collision is retried
 * rather than answered 409 while the writers are few.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_RULES_PER_OWNER } from "../../core/domain/rules/ruleCommands.ts";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";
import { freshPostgresSchema, hasPostgres } from "../support/stores.ts";

/** Rules the first test creates at once: enough to collide, few enough for retries to absorb. */
const FIRST = 25;

describe.skipIf(!hasPostgres)("concurrent writes to one proxy on server Postgres", () => {
  let ferry: TestFerry;
  let setup: Awaited<ReturnType<typeof createIntegration>>;

  beforeAll(async () => {
    ferry = await startTestFerry({ sql: await freshPostgresSchema({ max: 10 }) });
    setup = await createIntegration(ferry, "http://127.0.0.1:9");
  });
  // Closing Ferry closes its store, which drops the fresh schema.
  afterAll(async () => {
    await ferry?.close();
  });

  const rules = () => `${setup.base}/proxies/${setup.proxy.proxyId}/rules`;
  const createRules = (prefix: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, n) =>
        ferry.api("POST", rules(), { effect: "deny", pathPattern: `^/${prefix}/${n}$` }),
      ),
    );

  it("lands every one of twenty-five rules created at once, each once", async () => {
    const answers = await createRules("first", FIRST);
    expect(answers.map((answer) => answer.status)).toEqual(Array(FIRST).fill(201));
    const listed = (await ferry.api("GET", rules())).body as { pathPattern: string }[];
    const patterns = listed.map((rule) => rule.pathPattern).sort();
    expect(patterns).toEqual(Array.from({ length: FIRST }, (_, n) => `^/first/${n}$`).sort());
  });

  it("never passes the rule limit, however many race for the last places", async () => {
    const answers = await createRules("second", MAX_RULES_PER_OWNER);
    const created = answers.filter((answer) => answer.status === 201).length;
    // The rest are refused by the domain, or, for a writer that kept losing
    // the race, answered 409 after its last retry: never written.
    const others = answers
      .filter((answer) => answer.status !== 201)
      .map((answer) => `${answer.status} ${answer.body.error.code}`);
    expect(created).toBe(MAX_RULES_PER_OWNER - FIRST);
    expect(
      others.filter((other) => !/^(422 too_many_rules|409 version_conflict)$/.test(other)),
    ).toEqual([]);
    const listed = (await ferry.api("GET", rules())).body as unknown[];
    expect(listed).toHaveLength(MAX_RULES_PER_OWNER);
  });
});
