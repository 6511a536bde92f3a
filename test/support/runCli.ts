/**
 * Runs the `ferry` command as a child process and collects what it printed.
 * The suite's DATABASE_URL is not passed on: the command works on the data
 * folder `env` names unless `env` says otherwise.
 */
import { spawn } from "node:child_process";

export const runCli = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("node_modules/.bin/bun", ["apps/cli/ferry.ts", ...args], {
      env: { ...process.env, DATABASE_URL: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
