import type { SqlExecutor } from "../sql/sqlClient.ts";
import { whereOf, type RequestFilter } from "./requestFilter.ts";
import { requestLog as t } from "./tables.ts";

/** Counts by the record statuses of spec §3, and the spread of `duration` (ms). */
export type UsageStats = {
  totalRequests: number;
  successful: number;
  failed: number;
  denied: number;
  avgDuration: number;
  p50: number;
  p95: number;
  p99: number;
};

export type UsageGrouping = "hour" | "day";

export type UsageReport = {
  totals: UsageStats;
  proxies: (UsageStats & { proxyId: string })[];
  /** One per hour or day (UTC) that holds a request, oldest first. */
  buckets: (UsageStats & { start: string; end: string })[];
};

/*
 * One statement and one snapshot for the three groupings, so the totals,
 * the proxies and the buckets always add up. Percentiles are computed here
 * with percentile_cont (interpolated between neighbouring durations), over
 * every record of the group: a denial counts with its duration of 0, as in
 * an average a client computes from the listing. The grand total row of
 * GROUPING SETS exists even when no record matches. GROUPING(column) is 1
 * on the rows where that column was not grouped.
 */
const statsColumns = `
  count(*)::integer AS total,
  (count(*) FILTER (WHERE ${t.status} = 'completed'))::integer AS successful,
  (count(*) FILTER (WHERE ${t.status} = 'failed'))::integer AS failed,
  (count(*) FILTER (WHERE ${t.status} = 'denied'))::integer AS denied,
  coalesce(avg(${t.duration}), 0)::double precision AS avg_duration,
  coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${t.duration}), 0)::double precision AS p50,
  coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY ${t.duration}), 0)::double precision AS p95,
  coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ${t.duration}), 0)::double precision AS p99`;

type StatsRow = {
  total: number;
  successful: number;
  failed: number;
  denied: number;
  avg_duration: number;
  p50: number;
  p95: number;
  p99: number;
};

type ReportRow = StatsRow & {
  by_proxy: number;
  by_bucket: number;
  proxy_id: string | null;
  bucket: string | null;
};

const unitMs: Record<UsageGrouping, number> = { hour: 3_600_000, day: 86_400_000 };

/**
 * Usage of the client's requests that `filter` selects: totals, one entry per
 * proxy (by id) and one per hour or day (UTC) that has requests.
 */
export async function usageReport(
  sql: SqlExecutor,
  filter: RequestFilter,
  groupBy: UsageGrouping,
): Promise<UsageReport> {
  const { condition, params } = whereOf(filter);
  params.push(groupBy);
  const unit = `$${params.length}::text`;

  const { rows } = await sql.query<ReportRow>(
    `WITH picked AS (
       SELECT ${t.proxyId}, ${t.status}, ${t.duration},
              to_char(date_trunc(${unit}, ${t.occurredAt} AT TIME ZONE 'UTC'),
                      'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS bucket
       FROM ${t.readable} WHERE ${condition}
     )
     SELECT (1 - GROUPING(${t.proxyId}))::integer AS by_proxy,
            (1 - GROUPING(bucket))::integer AS by_bucket,
            ${t.proxyId} AS proxy_id, bucket, ${statsColumns}
     FROM picked
     GROUP BY GROUPING SETS ((), (${t.proxyId}), (bucket))`,
    params,
  );

  const totals = rows.find((row) => row.by_proxy === 0 && row.by_bucket === 0);
  const proxies = rows
    .filter((row) => row.by_proxy === 1)
    .map((row) => ({ proxyId: row.proxy_id ?? "", ...statsOf(row) }))
    .sort((a, b) => (a.proxyId < b.proxyId ? -1 : a.proxyId > b.proxyId ? 1 : 0));
  const buckets = rows
    .filter((row) => row.by_bucket === 1)
    .map((row) => {
      const start = new Date(row.bucket ?? 0);
      return {
        start: start.toISOString(),
        end: new Date(start.getTime() + unitMs[groupBy]).toISOString(),
        ...statsOf(row),
      };
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));

  return { totals: totals === undefined ? emptyStats() : statsOf(totals), proxies, buckets };
}

const statsOf = (row: StatsRow): UsageStats => ({
  totalRequests: row.total,
  successful: row.successful,
  failed: row.failed,
  denied: row.denied,
  avgDuration: row.avg_duration,
  p50: row.p50,
  p95: row.p95,
  p99: row.p99,
});

const emptyStats = (): UsageStats => ({
  totalRequests: 0,
  successful: 0,
  failed: 0,
  denied: 0,
  avgDuration: 0,
  p50: 0,
  p95: 0,
  p99: 0,
});
