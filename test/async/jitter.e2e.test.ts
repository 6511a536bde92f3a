/**
 * The backoff's jitter is real: 200 requests that fail together do not come
 * back together. Each request's wait between its failed first attempt and
 * its second is drawn from [0, 2 s) (measured as planned, and as the
 * upstream saw the attempts arrive); a policy without jitter would give them
 * all the same wait.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedPGlite } from "../support/stores.ts";
import { startRecordingUpstream, headerValues } from "../support/recordingUpstream.ts";
import { startAsyncFerry, type AsyncSetup } from "./asyncHarness.ts";

const REQUESTS = 200;
const BASE_DELAY_MS = 2_000;

let setup: AsyncSetup;
/** When the upstream saw each attempt, by request id. */
const seenAt = new Map<string, number[]>();

beforeAll(async () => {
  const upstream = await startRecordingUpstream((request) => {
    const id = headerValues(request, "idempotency-key")[0]!;
    const times = seenAt.get(id) ?? [];
    times.push(performance.now());
    seenAt.set(id, times);
    return times.length === 1 ? { status: 503, body: "" } : { status: 200, body: "" };
  });
  setup = await startAsyncFerry({ upstream, env: { FERRY_WORKER_CONCURRENCY: "256" } });
  const { base, target } = setup.integration;
  const changed = await setup.ferry.api("PUT", `${base}/targets/${target.targetId}`, {
    retryPolicy: { baseDelayMs: BASE_DELAY_MS, maxDelayMs: BASE_DELAY_MS },
  });
  expect(changed.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await setup?.ferry.close();
  await setup?.upstream.close();
  await closeSharedPGlite();
});

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

describe("retry jitter", () => {
  it("spreads the second attempts of 200 requests that failed at the same moment", async () => {
    const ids = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const answer = await setup.submit(`/burst/${i}`, { body: "x" });
        return (await answer.json()).requestId as string;
      }),
    );
    const settled = [];
    for (const id of ids) settled.push(await setup.settle(id, undefined, 30_000));

    // The waits the policy drew: from the first attempt's end to the retry
    // it planned. Uniform on [0, 2 s) has a standard deviation of 577 ms and
    // its middle 80% spans 1.6 s; waits in lockstep would have neither.
    const planned = settled.map((request) => {
      const [first] = request.attemptHistory;
      return Date.parse(first.retryAt) - Date.parse(first.endedAt);
    });
    const sorted = [...planned].sort((a, b) => a - b);
    const mean = planned.reduce((a, b) => a + b, 0) / planned.length;
    const spread = Math.sqrt(planned.reduce((a, w) => a + (w - mean) ** 2, 0) / planned.length);
    expect(sorted[0]).toBeGreaterThanOrEqual(0);
    expect(sorted.at(-1)).toBeLessThan(BASE_DELAY_MS);
    expect(spread).toBeGreaterThan(BASE_DELAY_MS / 6);
    expect(quantile(sorted, 0.9) - quantile(sorted, 0.1)).toBeGreaterThan(BASE_DELAY_MS / 2);
    // No tenth of the range holds more than a quarter of the requests.
    const buckets = new Map<number, number>();
    for (const wait of planned) {
      const bucket = Math.floor(wait / (BASE_DELAY_MS / 10));
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual(REQUESTS / 4);

    // And the upstream saw them come back spread out, not in one burst: the
    // waits it measured add the time to record each failure, which a busy
    // machine stretches but does not bunch into one moment.
    const seen = ids.map((id) => {
      const [first, second] = seenAt.get(id)!;
      return second! - first!;
    });
    const seenSorted = [...seen].sort((a, b) => a - b);
    console.log(
      `jitter: planned waits p10 ${quantile(sorted, 0.1).toFixed(0)} ms, p50 ${quantile(sorted, 0.5).toFixed(0)} ms, ` +
        `p90 ${quantile(sorted, 0.9).toFixed(0)} ms (standard deviation ${spread.toFixed(0)} ms); ` +
        `as the upstream saw them p10 ${quantile(seenSorted, 0.1).toFixed(0)} ms, p90 ${quantile(seenSorted, 0.9).toFixed(0)} ms`,
    );
    expect(quantile(seenSorted, 0.9) - quantile(seenSorted, 0.1)).toBeGreaterThan(
      BASE_DELAY_MS / 4,
    );
  }, 60_000);
});
