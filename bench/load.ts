/**
 * Closed-loop load generator: `concurrency` keep-alive loops send requests
 * for `seconds` and report requests per second and latency percentiles.
 * It runs in its own process so that it never shares an event loop with the
 * server under test.
 */
const [url, method, bodyBytes, concurrency, seconds, headerJson] = process.argv.slice(2);
const headers: Record<string, string> = JSON.parse(headerJson ?? "{}");
const body = Number(bodyBytes) > 0 ? new Uint8Array(Number(bodyBytes)).fill(97) : undefined;
const deadline = performance.now() + Number(seconds) * 1000;
const latencies: number[] = [];
let errors = 0;

const loop = async () => {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(url!, { method, headers, body });
      await response.arrayBuffer();
      if (response.status >= 400) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - started);
  }
};

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    count: latencies.length,
  }),
);
export {};
