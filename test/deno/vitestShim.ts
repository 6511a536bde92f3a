/**
 * Just enough of vitest for the core's unit tests to run under Deno, which
 * proves the core needs nothing but web-standard APIs. deno.json maps the
 * `vitest` import here. Nested `describe`s become one `Deno.test` name
 * (`credential > active > renames`); hooks run per scope. The matchers
 * (expect.ts) are the ones the core tests use, with vitest's equality rules
 * (deepEqual.ts).
 */

type TestBody = () => unknown;
type Hook = () => unknown;

type DenoTestApi = {
  test(definition: { name: string; fn: () => Promise<void>; ignore?: boolean }): void;
};

const deno = (globalThis as unknown as { Deno?: DenoTestApi }).Deno;
if (deno === undefined) throw new Error("vitestShim runs under Deno only; use vitest elsewhere");

type Scope = {
  name: string;
  skipped: boolean;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  beforeAllDone: boolean;
  /** The scope's last test, after which its afterAll hooks run. */
  lastTest: object | null;
};

const newScope = (name: string, skipped: boolean): Scope => ({
  name,
  skipped,
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
  beforeAllDone: false,
  lastTest: null,
});

const stack: Scope[] = [newScope("", false)];
const current = (): Scope => stack[stack.length - 1]!;

const runDescribe = (name: string, body: () => void, skipped: boolean): void => {
  const scope = newScope(name, skipped || current().skipped);
  stack.push(scope);
  try {
    const returned: unknown = body();
    if (returned instanceof Promise)
      throw new Error(`describe("${name}") body must be synchronous`);
  } finally {
    stack.pop();
  }
  // A nested scope's last test is also its parent's last test so far.
  if (scope.lastTest !== null) current().lastTest = scope.lastTest;
};

const runIt = (name: string, body: TestBody, skipped: boolean): void => {
  const scopes = [...stack];
  const id = {};
  for (const scope of scopes) scope.lastTest = id;
  const fullName = [...scopes.map((scope) => scope.name).filter(Boolean), name].join(" > ");

  deno.test({
    name: fullName,
    ignore: skipped || current().skipped,
    fn: async () => {
      for (const scope of scopes) {
        if (scope.beforeAllDone) continue;
        scope.beforeAllDone = true;
        for (const hook of scope.beforeAll) await hook();
      }
      try {
        for (const scope of scopes) for (const hook of scope.beforeEach) await hook();
        await body();
      } finally {
        for (const scope of [...scopes].reverse()) {
          for (const hook of scope.afterEach) await hook();
        }
        for (const scope of [...scopes].reverse()) {
          if (scope.lastTest === id) for (const hook of scope.afterAll) await hook();
        }
      }
    },
  });
};

type Describe = {
  (name: string, body: () => void): void;
  skip: (name: string, body: () => void) => void;
  skipIf: (condition: unknown) => (name: string, body: () => void) => void;
  runIf: (condition: unknown) => (name: string, body: () => void) => void;
};

type It = {
  (name: string, body: TestBody, timeout?: number): void;
  skip: (name: string, body: TestBody, timeout?: number) => void;
  skipIf: (condition: unknown) => (name: string, body: TestBody, timeout?: number) => void;
  runIf: (condition: unknown) => (name: string, body: TestBody, timeout?: number) => void;
};

export const describe: Describe = Object.assign(
  (name: string, body: () => void) => runDescribe(name, body, false),
  {
    skip: (name: string, body: () => void) => runDescribe(name, body, true),
    skipIf: (condition: unknown) => (name: string, body: () => void) =>
      runDescribe(name, body, Boolean(condition)),
    runIf: (condition: unknown) => (name: string, body: () => void) =>
      runDescribe(name, body, !condition),
  },
);

export const it: It = Object.assign((name: string, body: TestBody) => runIt(name, body, false), {
  skip: (name: string, body: TestBody) => runIt(name, body, true),
  skipIf: (condition: unknown) => (name: string, body: TestBody) =>
    runIt(name, body, Boolean(condition)),
  runIf: (condition: unknown) => (name: string, body: TestBody) => runIt(name, body, !condition),
});

export const test: It = it;

export const beforeAll = (hook: Hook): void => void current().beforeAll.push(hook);
export const afterAll = (hook: Hook): void => void current().afterAll.push(hook);
export const beforeEach = (hook: Hook): void => void current().beforeEach.push(hook);
export const afterEach = (hook: Hook): void => void current().afterEach.push(hook);

export { expect, type Matchers } from "./expect.ts";
