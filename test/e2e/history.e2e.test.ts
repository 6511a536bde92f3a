/**
 * Audit replay (spec §3 "Audit", §6 `ferry audit`): a credential created,
 * rotated twice, given rules and deleted reads back in order, `asOf` answers
 * what a read answered at each point, and no secret value (in clear, hashed
 * or sealed) appears anywhere in its history. Targets and proxies likewise;
 * another client's ids answer 404; the CLI prints the same history.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../apps/runtime/config.ts";
import { createLogger } from "../../apps/runtime/logger.ts";
import { startFerry } from "../../apps/runtime/startFerry.ts";
import { runCli } from "../support/runCli.ts";
import {
  callApi,
  createIntegration,
  randomMasterKey,
  randomToken,
  startTestFerry,
  type TestFerry,
} from "../support/ferry.ts";
import { closeSharedPGlite } from "../support/stores.ts";

let ferry: TestFerry;

beforeAll(async () => {
  ferry = await startTestFerry();
});
afterAll(async () => {
  await ferry?.close();
  await closeSharedPGlite();
});

const UPSTREAM = "http://127.0.0.1:9";
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

/** What a read answered, and a time after it and before the next change. */
type Snapshot = { label: string; at: string; body: unknown };

const must = async (method: string, path: string, body?: unknown, status = 200) => {
  const answer = await ferry.api(method, path, body);
  if (answer.status !== status)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** Reads the resource (null once it is gone), notes the time, and lets the clock move on. */
const snapshot = async (label: string, path: string): Promise<Snapshot> => {
  const answer = await ferry.api("GET", path);
  const at = new Date().toISOString();
  await pause();
  return { label, at, body: answer.status === 404 ? null : answer.body };
};

const expectAsOfMatches = async (path: string, key: string, snapshots: Snapshot[]) => {
  for (const { label, at, body } of snapshots) {
    const answer = await ferry.api("GET", `${path}/history?asOf=${encodeURIComponent(at)}`);
    expect({ label, status: answer.status }).toEqual({ label, status: 200 });
    expect({ label, asOf: answer.body.asOf, [key]: answer.body[key] }).toEqual({
      label,
      asOf: at,
      [key]: body,
    });
  }
};

/** Every hash, ciphertext and iv the store holds for a stream, from its raw rows. */
const storedSecretsOf = async (streamId: string): Promise<string[]> => {
  const { rows } = await ferry.sql.query<{ data: unknown }>(
    "select data from ferry_events where stream_id = $1",
    [streamId],
  );
  const found: string[] = [];
  for (const { data } of rows) {
    const secret = (typeof data === "string" ? JSON.parse(data) : data)?.secret;
    if (!secret) continue;
    found.push(...Object.values<string>(secret.hashes ?? {}));
    if (secret.sealed) found.push(secret.sealed.ciphertext, secret.sealed.iv);
  }
  return found;
};

const rule = (path: string) => ({ effect: "deny", pathPattern: path });

describe("a credential's history", () => {
  it("reads back its whole life in order, answers asOf at each point, and shows no secret", async () => {
    const secrets = ["pk_HISTORY_first_0001", "pk_HISTORY_second_0002", "pk_HISTORY_third_0003"];
    const setup = await createIntegration(ferry, UPSTREAM, {
      proxySecret: { keyName: "X-API-Key", keyValue: secrets[0] },
    });
    const id = setup.proxyCredential.credentialId;
    const path = `${setup.base}/credentials/${id}`;
    const before = new Date(Date.parse(setup.proxyCredential.createdAt) - 1).toISOString();
    const snapshots: Snapshot[] = [{ label: "before", at: before, body: null }];
    snapshots.push(await snapshot("created", path));

    await must("PUT", path, { secret: { keyName: "X-API-Key", keyValue: secrets[1] } });
    snapshots.push(await snapshot("rotated once", path));
    await must("PUT", path, { secret: { keyName: "X-API-Key", keyValue: secrets[2] } });
    snapshots.push(await snapshot("rotated twice", path));
    const first = await must("POST", `${path}/rules`, rule("^/admin"), 201);
    snapshots.push(await snapshot("one rule", path));
    const second = await must("POST", `${path}/rules`, rule("^/internal"), 201);
    await must("DELETE", `${path}/rules/${first.ruleId}`, undefined, 204);
    snapshots.push(await snapshot("rule removed", path));
    await must("DELETE", `${setup.base}/proxies/${setup.proxy.proxyId}`, undefined, 204);
    await must("DELETE", path, undefined, 204);
    snapshots.push(await snapshot("deleted", path));

    const history = await ferry.api("GET", `${path}/history`);
    expect(history.status).toBe(200);
    const entries = history.body.data;
    expect(entries.map((entry: any) => entry.type)).toEqual([
      "CredentialCreated",
      "CredentialSecretRotated",
      "CredentialSecretRotated",
      "RuleAdded",
      "RuleAdded",
      "RuleRemoved",
      "CredentialDeleted",
    ]);
    expect(entries.map((entry: any) => entry.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const admin = (await ferry.api("GET", "/users/me")).body.userId;
    for (const entry of entries) {
      expect(entry.actor).toBe(admin);
      expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
    }
    const times = entries.map((entry: any) => entry.at);
    expect([...times].sort()).toEqual(times);
    expect(entries[2].changes.secret).toEqual({
      fields: expect.any(Array),
      fingerprint: (snapshots[3]!.body as any).secret.fingerprint,
      secretVersion: 3,
    });
    expect(entries[4].changes).toMatchObject({
      ruleId: second.ruleId,
      effect: "deny",
      pathPattern: "^/internal",
    });
    expect(entries[5].changes).toEqual({ ruleId: first.ruleId });

    await expectAsOfMatches(path, "credential", snapshots);

    const text = JSON.stringify(history.body);
    const stored = await storedSecretsOf(`credential-${id}`);
    expect(stored.length).toBe(3);
    for (const value of [...secrets, ...stored]) expect(text).not.toContain(value);
    expect(text).not.toContain("hashes");
    expect(text).not.toContain("sealed");
  });

  it("shows a target credential's rotation without its sealed secret", async () => {
    const setup = await createIntegration(ferry, UPSTREAM, {
      targetSecret: { keyName: "X-Api-Key", keyValue: "tk_HISTORY_sealed_1" },
    });
    const path = `${setup.base}/credentials/${setup.targetCredential.credentialId}`;
    await must("PUT", path, { secret: { keyName: "X-Api-Key", keyValue: "tk_HISTORY_sealed_2" } });

    const text = JSON.stringify((await must("GET", `${path}/history`)).data);
    const stored = await storedSecretsOf(`credential-${setup.targetCredential.credentialId}`);
    expect(stored.length).toBe(4);
    for (const value of ["tk_HISTORY_sealed_1", "tk_HISTORY_sealed_2", ...stored])
      expect(text).not.toContain(value);
  });

  it("refuses an asOf that is not a timestamp with the error envelope", async () => {
    const setup = await createIntegration(ferry, UPSTREAM);
    const path = `${setup.base}/credentials/${setup.proxyCredential.credentialId}/history`;

    for (const asOf of ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01"]) {
      const answer = await ferry.api("GET", `${path}?asOf=${asOf}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("invalid_input");
      expect(answer.body.error.details).toEqual([{ field: "asOf", message: expect.any(String) }]);
    }
    for (const asOf of ["2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z"]) {
      const answer = await ferry.api("GET", `${path}?asOf=${asOf}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.details).toEqual([
        { field: "asOf", message: "has a date or time of day that does not exist" },
      ]);
    }
  });

  it("refuses an asOf outside the years 0001 to 9999 (UTC), and reads the last instant there is", async () => {
    const setup = await createIntegration(ferry, UPSTREAM);
    const path = `${setup.base}/credentials/${setup.proxyCredential.credentialId}/history`;

    // Past 9999 once in UTC: it would be answered as `+010000-…`.
    for (const asOf of ["9999-12-31T23:00:00-05:00", "0000-12-31T23:00:00Z"]) {
      const answer = await ferry.api("GET", `${path}?asOf=${asOf}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("invalid_input");
      expect(answer.body.error.details).toEqual([
        { field: "asOf", message: "must fall within the years 0001 to 9999 (UTC)" },
      ]);
    }
    const last = await ferry.api("GET", `${path}?asOf=9999-12-31T23:59:59.999Z`);
    expect(last.status).toBe(200);
    expect(last.body.asOf).toBe("9999-12-31T23:59:59.999Z");
  });

  it("reads an asOf whose `+` arrived as a space as the offset meant, as the request log does", async () => {
    const setup = await createIntegration(ferry, UPSTREAM);
    const path = `${setup.base}/credentials/${setup.proxyCredential.credentialId}/history`;
    const later = new Date(Date.now() + 3_600_000);
    // The same instant two hours east, its `+` sent unencoded.
    const local = new Date(later.getTime() + 2 * 3_600_000).toISOString().slice(0, 19);
    for (const asOf of [`${local}+02:00`, `${local} 02:00`, `${local}.000 0200`]) {
      const answer = await ferry.api("GET", `${path}?asOf=${asOf.replaceAll(" ", "%20")}`);
      expect({ asOf, status: answer.status }).toEqual({ asOf, status: 200 });
      expect(answer.body.asOf).toBe(`${later.toISOString().slice(0, 19)}.000Z`);
    }
    // A space anywhere else is still refused.
    const spaced = await ferry.api("GET", `${path}?asOf=${local.replace("T", "%20")}Z`);
    expect(spaced.status).toBe(400);
  });
});

describe("a target's and a proxy's history", () => {
  it("reads back changes, rules and deletion, with asOf at each point", async () => {
    const setup = await createIntegration(ferry, UPSTREAM);
    const proxyPath = `${setup.base}/proxies/${setup.proxy.proxyId}`;
    const targetPath = `${setup.base}/targets/${setup.target.targetId}`;
    const proxies = [await snapshot("created", proxyPath)];
    const targets = [await snapshot("created", targetPath)];

    await must("PUT", proxyPath, { proxyName: "renamed", maxRequestsPerMinute: 5 });
    await must("PUT", targetPath, { targetName: "renamed", timeoutMs: 5000 });
    proxies.push(await snapshot("updated", proxyPath));
    targets.push(await snapshot("updated", targetPath));
    await must("POST", `${proxyPath}/rules`, rule("^/p"), 201);
    await must("POST", `${targetPath}/rules`, rule("^/t"), 201);
    await must("DELETE", proxyPath, undefined, 204);
    await must("DELETE", targetPath, undefined, 204);
    proxies.push(await snapshot("deleted", proxyPath));
    targets.push(await snapshot("deleted", targetPath));

    const proxyHistory = (await must("GET", `${proxyPath}/history`)).data;
    expect(proxyHistory.map((entry: any) => entry.type)).toEqual([
      "ProxyCreated",
      "ProxyUpdated",
      "RuleAdded",
      "ProxyDeleted",
    ]);
    expect(proxyHistory[1].changes).toEqual({ proxyName: "renamed", maxRequestsPerMinute: 5 });
    const targetHistory = (await must("GET", `${targetPath}/history`)).data;
    expect(targetHistory.map((entry: any) => entry.type)).toEqual([
      "TargetCreated",
      "TargetUpdated",
      "RuleAdded",
      "TargetDeleted",
    ]);
    expect(targetHistory[1].changes).toEqual({ targetName: "renamed", timeoutMs: 5000 });

    await expectAsOfMatches(proxyPath, "proxy", proxies);
    await expectAsOfMatches(targetPath, "target", targets);
  });
});

describe("another client's history", () => {
  it("answers 404, deleted or not, exactly like a missing id", async () => {
    const setup = await createIntegration(ferry, UPSTREAM);
    const other = await must("POST", "/users", { userName: "history-other" }, 201);
    const theirs = await createIntegration(ferry, UPSTREAM, { token: other.token });
    const credentialPath = `${setup.base}/credentials/${setup.targetCredential.credentialId}`;
    await must("DELETE", `${setup.base}/proxies/${setup.proxy.proxyId}`, undefined, 204);
    await must("DELETE", credentialPath, undefined, 204);

    const paths = [
      `${credentialPath}/history`,
      `${setup.base}/credentials/${setup.proxyCredential.credentialId}/history`,
      `${setup.base}/targets/${setup.target.targetId}/history`,
      `${setup.base}/proxies/${setup.proxy.proxyId}/history`,
    ];
    const missing = await ferry.api("GET", `${setup.base}/credentials/crd_missing/history`);
    expect(missing.status).toBe(404);
    for (const path of paths) {
      // Their own client with our ids, and our client, both look like nothing.
      const viaTheirs = path.replace(setup.base, theirs.base);
      for (const answer of [
        await ferry.api("GET", path, undefined, other.token),
        await ferry.api("GET", viaTheirs, undefined, other.token),
        await ferry.api(
          "GET",
          `${viaTheirs}?asOf=${new Date().toISOString()}`,
          undefined,
          other.token,
        ),
      ]) {
        expect(answer.status).toBe(404);
        expect(answer.body.error.code).toBe(missing.body.error.code);
      }
      expect((await ferry.api("GET", path)).status).toBe(200);
    }
  });
});

describe("ferry audit", () => {
  it("prints a credential's history from a stopped Ferry's data folder", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ferry-audit-"));
    const env = {
      FERRY_DATA_DIR: dataDir,
      FERRY_MASTER_KEY: randomMasterKey(),
      FERRY_LOG_LEVEL: "silent",
    };
    try {
      const token = randomToken();
      const config = readConfig({
        ...env,
        FERRY_CORE_PORT: "0",
        FERRY_PROXY_PORT: "0",
        FERRY_ADMIN_TOKEN: token,
      });
      const running = await startFerry(config, createLogger("silent"));
      let credentialId: string;
      try {
        const api = (method: string, path: string, body?: unknown) =>
          callApi(running.coreUrl, token, method, path, body);
        const client = (await api("POST", "/clients", { clientName: "Audited" })).body;
        const base = `/clients/${client.clientId}/credentials`;
        const created = await api("POST", base, {
          credentialName: "audited",
          credentialType: "proxy",
          authType: "apiKey",
          secret: { keyName: "X-API-Key", keyValue: "pk_AUDIT_cli_0001" },
        });
        credentialId = created.body.credentialId;
        await api("PUT", `${base}/${credentialId}`, {
          secret: { keyName: "X-API-Key", keyValue: "pk_AUDIT_cli_0002" },
        });
        await api("POST", `${base}/${credentialId}/rules`, rule("^/admin"));
        await api("DELETE", `${base}/${credentialId}`);
      } finally {
        await running.stop();
      }

      const table = await runCli(["audit", "credential", credentialId], env);
      expect(table.code).toBe(0);
      const lines = table.stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^VERSION\s+AT\s+TYPE\s+ACTOR\s+CHANGES$/);
      expect(lines.slice(1).map((line) => line.split(/\s+/)[2])).toEqual([
        "CredentialCreated",
        "CredentialSecretRotated",
        "RuleAdded",
        "CredentialDeleted",
      ]);
      expect(lines[2]).toContain("secretVersion");
      expect(table.stdout).not.toContain("pk_AUDIT_cli");

      const json = await runCli(["audit", "credential", credentialId, "--json"], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).data).toHaveLength(4);

      const missing = await runCli(["audit", "credential", "crd_missing"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no credential crd_missing");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
