/**
 * A `SqlClient` that passes every statement to a real one and records it, and
 * that can be made unreachable: `"error"` fails each statement at once (a
 * refused connection), `"hang"` never answers (a server that stopped
 * responding). Statements issued while hanging are released, unanswered, by
 * `outage(null)`, so that nothing stays pending after a test.
 */
import type { SqlClient, SqlExecutor } from "../../adapters/sql/sqlClient.ts";

export type Outage = "error" | "hang" | null;

export type ObservedSql = {
  sql: SqlClient;
  queries: { text: string; params: unknown[] }[];
  outage(mode: Outage): void;
};

export function observedSql(inner: SqlClient): ObservedSql {
  const queries: ObservedSql["queries"] = [];
  let mode: Outage = null;
  let releaseHung: (() => void)[] = [];

  const gate = async (): Promise<void> => {
    if (mode === "error")
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    if (mode === "hang") {
      await new Promise<void>((resolve) => releaseHung.push(resolve));
      throw new Error("the hung statement was released unanswered");
    }
  };

  const executor = (target: SqlExecutor): SqlExecutor => ({
    query: async (text, params = []) => {
      queries.push({ text, params });
      await gate();
      return target.query(text, params);
    },
    exec: async (script) => {
      queries.push({ text: script, params: [] });
      await gate();
      return target.exec(script);
    },
  });

  const sql: SqlClient = {
    ...inner,
    ...executor(inner),
    transaction: (fn) => inner.transaction((tx) => fn(executor(tx))),
    close: () => inner.close(),
  };

  return {
    sql,
    queries,
    outage: (next) => {
      mode = next;
      if (next === null) {
        releaseHung.forEach((release) => release());
        releaseHung = [];
      }
    },
  };
}

/** A logger that keeps what it is given. */
export function recordingLogger() {
  const lines: { level: "warn" | "info"; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: "warn", fields, message }),
    info: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: "info", fields, message }),
  };
}
