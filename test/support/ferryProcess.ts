/**
 * `ferry serve` as a real child process, for tests that kill, restart or run
 * several of them. Ports are picked free; stdout and stderr are collected.
 */
import { join } from "node:path";
import { spawn, type Subprocess } from "bun";

const root = join(import.meta.dirname, "..", "..");
const bun = join(root, "node_modules", ".bin", "bun");

export type ServedFerry = {
  child: Subprocess<"ignore", "pipe", "pipe">;
  core: string;
  proxy: string;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
};

export const freePort = (): number => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
};

/** Starts `ferry serve` with `env` and resolves once it logs that it serves. */
export const serveFerry = (env: Record<string, string>): Promise<ServedFerry> =>
  startFerryProcess("serve", env, "ferry is serving");

/** Starts `ferry worker` with `env` and resolves once it logs that it delivers. */
export const startWorkerProcess = (env: Record<string, string>): Promise<ServedFerry> =>
  startFerryProcess("worker", env, "ferry worker is delivering");

const startFerryProcess = async (
  command: string,
  env: Record<string, string>,
  ready: string,
): Promise<ServedFerry> => {
  const corePort = freePort();
  const proxyPort = freePort();
  const child = spawn([bun, join(root, "apps", "cli", "ferry.ts"), command], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FERRY_CORE_PORT: String(corePort),
      FERRY_PROXY_PORT: String(proxyPort),
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value);
    }
  };
  void collect(child.stdout);
  void collect(child.stderr);
  for (let i = 0; i < 600 && !text.includes(ready); i++) {
    if (child.exitCode !== null) throw new Error(`ferry exited: ${text}`);
    await Bun.sleep(100);
  }
  if (!text.includes(ready)) throw new Error(`ferry ${command} did not start: ${text}`);
  return {
    child,
    core: `http://127.0.0.1:${corePort}`,
    proxy: `http://127.0.0.1:${proxyPort}`,
    output: () => text,
    stop: async () => {
      child.kill("SIGTERM");
      return child.exited;
    },
  };
};
