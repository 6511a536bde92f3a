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
    expect(refusal({ FERRY_PROXY_PORT: "70000" })).toMatch(/FERRY_PROXY_PORT: .*65535/);
    expect(refusal({ FERRY_REQUEST_LOG_BUSY_SHARE: "-1" })).toMatch(/BUSY_SHARE: .*0/);
    expect(refusal({ FERRY_WORKER_CONCURRENCY: "1.5" })).toMatch(/FERRY_WORKER_CONCURRENCY: .*int/);
  });
});
