/**
 * Which records a listing or a usage report covers, and the SQL condition
 * that selects them. Every condition starts with the client: no query of the
 * request log can reach another client's rows.
 */
import { requestLog as t } from "./tables.ts";

/** One end of a time range; `op` compares the record's timestamp with `at`. */
export type TimeBound = { op: ">=" | ">" | "<=" | "<"; at: Date };

export type RequestFilter = {
  clientId: string;
  proxyId?: string;
  /** Any of these statuses; all when absent or empty. */
  statuses?: readonly string[];
  /** Every bound must hold. */
  bounds?: readonly TimeBound[];
};

const operators = new Set<TimeBound["op"]>([">=", ">", "<=", "<"]);

/**
 * The WHERE condition of `filter`, its parameters numbered from `$1`. Only
 * values travel as parameters (a list as one JSON text, which pg and PGlite
 * pass alike); the operators come from a closed set.
 */
export function whereOf(filter: RequestFilter): { condition: string; params: unknown[] } {
  const params: unknown[] = [filter.clientId];
  const parts = [`${t.clientId} = $1`];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };

  if (filter.proxyId !== undefined) parts.push(`${t.proxyId} = ${param(filter.proxyId)}`);
  if (filter.statuses !== undefined && filter.statuses.length > 0)
    parts.push(
      `${t.status} IN (SELECT jsonb_array_elements_text(${param(JSON.stringify(filter.statuses))}::text::jsonb))`,
    );
  for (const bound of filter.bounds ?? []) {
    if (!operators.has(bound.op)) throw new Error(`unknown time operator ${bound.op}`);
    parts.push(`${t.occurredAt} ${bound.op} ${param(bound.at.toISOString())}::timestamptz`);
  }

  return { condition: parts.join(" AND "), params };
}
