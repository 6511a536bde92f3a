import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";

/** A certificate no authority signed, made for this run only. */
function selfSignedCertificate(): { cert: string; key: string } | null {
  const dir = mkdtempSync(join(tmpdir(), "ferry-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        .concat(["-addext", "subjectAltName=IP:127.0.0.1"])
        .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
      { stdio: "ignore" },
    );
    return {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSignedCertificate();

describe.skipIf(tls === null)("an https upstream whose certificate does not verify", () => {
  let upstream: ReturnType<typeof Bun.serve>;
  let reached = 0;
  let proxy: RunningProxy;

  beforeAll(async () => {
    upstream = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: tls!,
      fetch: () => {
        reached++;
        return new Response("should not be read");
      },
    });
    proxy = await startProxy([fieldCaseRoute(`https://127.0.0.1:${upstream.port}`)]);
  });

  afterAll(async () => {
    await proxy.stop();
    upstream.stop(true);
  });

  it("is refused with 502: the proxy verifies upstream certificates", async () => {
    const response = await call(proxy, "GET /api/P/x");

    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString()).error.code).toBe("upstream_unreachable");
    expect(reached).toBe(0);
    expect(proxy.logs).toMatchObject([{ level: "warn", fields: { code: "upstream_unreachable" } }]);
    expect(JSON.stringify(proxy.logs)).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
});
