import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../apps/runtime/config.ts";

const refusal = (env: Record<string, string>): string => {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe("numbers in the environment", () => {
  it("are read in decimal, with a sign, a fraction or an exponent", () => {
    const config = readConfig({
      FERRY_CORE_PORT: " 4100 ",
      FERRY_REQUEST_LOG_BUSY_SHARE: "1e-3",
      FERRY_REQUEST_RETENTION_DAYS: "+7",
      FERRY_MAX_BODY_BYTES: "2048.0",
    });
    expect(config.corePort).toBe(4100);
    expect(config.requestLogBusyShare).toBe(0.001);
    expect(config.requestRetentionDays).toBe(7);
    expect(config.maxBodyBytes).toBe(2048);
  });

  it("leave the default when unset or empty", () => {
    const config = readConfig({ FERRY_CORE_PORT: "", FERRY_REQUEST_LOG_BUSY_SHARE: "" });
    expect(config.corePort).toBe(4000);
    expect(config.requestLogBusyShare).toBeUndefined();
  });

  it.each(["0x1", "0b1", "0o7", "1_000", " ", "Infinity", "1e999", "5 MiB", "NaN"])(
    "refuse %j naming the variable",
    (value) => {
      expect(refusal({ FERRY_REQUEST_LOG_BUSY_SHARE: value })).toMatch(
        /FERRY_REQUEST_LOG_BUSY_SHARE/,
      );
      expect(refusal({ FERRY_PROXY_PORT: value })).toMatch(/FERRY_PROXY_PORT/);
    },
  );

  it("say what is wrong with a value out of range", () => {
    expect(refusal({ FERRY_PROXY_PORT: "70000" })).toMatch(
      /FERRY_PROXY_PORT: must be at most 65535/,
    );
    expect(refusal({ FERRY_REQUEST_LOG_BUSY_SHARE: "-1" })).toMatch(
      /BUSY_SHARE: must be more than 0/,
    );
    expect(refusal({ FERRY_WORKER_CONCURRENCY: "1.5" })).toMatch(
      /FERRY_WORKER_CONCURRENCY: must be an integer/,
    );
  });

  it("refuse a wait no timer can keep", () => {
    // setTimeout fires at once past 2^31 - 1 ms: the worker would spin.
    for (const name of ["FERRY_WORKER_POLL_MS", "FERRY_WORKER_SWEEP_MS", "FERRY_WORKER_LEASE_MS"]) {
      expect(refusal({ [name]: "3000000000" })).toMatch(`${name}: must be at most 2147483647`);
      expect(readConfig({ [name]: "2147483647" }).workerOptions).toBeDefined();
    }
  });

  it("bound the retry settings as a target's retry policy is bounded", () => {
    expect(refusal({ FERRY_RETRY_WINDOW_MS: "86400001" })).toMatch(
      /FERRY_RETRY_WINDOW_MS: must be at most 86400000/,
    );
    expect(refusal({ FERRY_RETRY_MAX_RETRIES: "101" })).toMatch(/must be at most 100/);
  });

  it("refuse a base delay above the delay cap, given or by default", () => {
    expect(refusal({ FERRY_RETRY_BASE_DELAY_MS: "5000", FERRY_RETRY_MAX_DELAY_MS: "10" })).toMatch(
      /FERRY_RETRY_MAX_DELAY_MS \(10\) must be at least FERRY_RETRY_BASE_DELAY_MS \(5000\)/,
    );
    // The default cap is five minutes.
    expect(refusal({ FERRY_RETRY_BASE_DELAY_MS: "300001" })).toMatch(/must be at least/);
    const equal = readConfig({ FERRY_RETRY_BASE_DELAY_MS: "10", FERRY_RETRY_MAX_DELAY_MS: "10" });
    expect(equal.workerOptions.retryPolicy).toMatchObject({ baseDelayMs: 10, maxDelayMs: 10 });
  });

  it("refuse a retention so long that its cutoff falls before the year 0001", () => {
    expect(refusal({ FERRY_REQUEST_RETENTION_DAYS: "3000000" })).toMatch(
      /FERRY_REQUEST_RETENTION_DAYS: must be at most 36500/,
    );
    expect(readConfig({ FERRY_REQUEST_RETENTION_DAYS: "36500" }).requestRetentionDays).toBe(36500);
  });
});
