/**
 * What the benchmarks share: child processes (servers and the load
 * generator) that are killed when the benchmark ends, free ports, and one
 * closed-loop load run.
 */
import { join } from "node:path";
import { spawn, type Subprocess } from "bun";

const bun = process.execPath;
const here = import.meta.dir;
export const children: Subprocess[] = [];

/** Starts a bench server script and answers the port it printed. */
export const startJsonServer = async (script: string, args: string[] = []): Promise<number> => {
  const child = spawn([bun, join(here, script), ...args], { stdout: "pipe", stderr: "inherit" });
  children.push(child);
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return JSON.parse(new TextDecoder().decode(value).split("\n")[0]!).port;
};

export const freePort = (): number => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
};

export const waitForHealth = async (url: string) => {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await Bun.sleep(100);
  }
  throw new Error(`${url} did not come up`);
};

export type Load = { rps: number; p50: number; p99: number; errors: number; count: number };

/** One run of `load.ts` in its own process: `concurrency` loops for `seconds`. */
export const runLoad = async (input: {
  url: string;
  method: string;
  bodyBytes: number;
  concurrency: number;
  seconds: number;
  headers?: Record<string, string>;
}): Promise<Load> => {
  const args = [
    input.url,
    input.method,
    String(input.bodyBytes),
    String(input.concurrency),
    String(input.seconds),
    JSON.stringify(input.headers ?? {}),
  ];
  const child = spawn([bun, join(here, "load.ts"), ...args], { stdout: "pipe", stderr: "inherit" });
  const text = await new Response(child.stdout).text();
  await child.exited;
  return JSON.parse(text);
};
