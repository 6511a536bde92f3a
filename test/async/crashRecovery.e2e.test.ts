/**
 * Case C11 against real processes: an accepted request survives SIGKILL
 * right after its 202, SIGKILL while the upstream holds its attempt, and a
 * worker that is away for a while; none is left `queued` without a next
 * attempt. A second delivery carries the same Idempotency-Key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createIntegration, randomMasterKey, randomToken } from "../support/ferry.ts";
import { serveFerry, startWorkerProcess, type ServedFerry } from "../support/ferryProcess.ts";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { hasPostgres, postgresSchemaUrl } from "../support/stores.ts";
import { deliveriesOf, fastWorkerEnv, isFinal, sha256 } from "./asyncHarness.ts";

const token = randomToken();

/** The Core API of a served process, shaped as the integration helper wants it. */
const asFerry = (served: ServedFerry) =>
  ({
    adminToken: token,
    api: (method: string, path: string, body?: unknown) =>
      callApi(served.core, token, method, path, body),
  }) as unknown as Parameters<typeof createIntegration>[0];

const settle = async (served: ServedFerry, base: string, requestId: string, ms = 30_000) => {
  const until = Date.now() + ms;
  for (;;) {
    const answer = await callApi(served.core, token, "GET", `${base}/requests/${requestId}`);
    if (answer.status === 200 && isFinal(answer.body)) return answer.body;
    if (Date.now() > until) throw new Error(`not delivered: ${JSON.stringify(answer.body)}`);
    await Bun.sleep(50);
  }
};

function crashSuite(name: string, storeEnv: () => Promise<Record<string, string>>) {
  describe(`C11 on ${name}`, () => {
    let env: Record<string, string>;
    let upstream: RecordingUpstream;
    let served: ServedFerry | null = null;
    let setup: Awaited<ReturnType<typeof createIntegration>>;
    const holdMs = { value: 0 };

    const start = async () => {
      served = await serveFerry(env);
      return served;
    };
    const submit = (ferry: ServedFerry, path: string, body: BodyInit = JSON.stringify({ path })) =>
      fetch(`${ferry.proxy}/async/${setup.proxy.proxyId}${path}`, {
        method: "POST",
        headers: { "X-API-Key": setup.key, "Content-Type": "application/json" },
        body,
      });

    beforeAll(async () => {
      upstream = await startRecordingUpstream(async () => {
        if (holdMs.value > 0) await Bun.sleep(holdMs.value);
        return { status: 200, body: "delivered" };
      });
      env = {
        ...fastWorkerEnv,
        FERRY_WORKER_LEASE_MS: "1500",
        FERRY_ADMIN_TOKEN: token,
        FERRY_MASTER_KEY: randomMasterKey(),
        ...(await storeEnv()),
      };
      setup = await createIntegration(asFerry(await start()), upstream.origin);
    }, 120_000);

    afterAll(async () => {
      await served?.stop();
      await upstream?.close();
    });

    it("delivers a request whose process was killed right after the 202", async () => {
      const ferry = served!;
      const answer = await submit(ferry, "/killed-after-202");
      expect(answer.status).toBe(202);
      ferry.child.kill("SIGKILL");
      await ferry.child.exited;
      const { requestId } = await answer.json();

      const again = await start();
      const done = await settle(again, setup.base, requestId);
      expect(done.status).toBe("completed");
      const deliveries = deliveriesOf(upstream, requestId);
      expect(deliveries.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(deliveries[0]!.body.toString())).toEqual({ path: "/killed-after-202" });
    }, 120_000);

    it("delivers again, under the same Idempotency-Key and with the whole body, a request whose attempt was in flight", async () => {
      const ferry = served!;
      holdMs.value = 5_000;
      const body = crypto.getRandomValues(new Uint8Array(256 * 1024));
      const answer = await submit(ferry, "/killed-in-flight", body);
      const { requestId } = await answer.json();
      for (let i = 0; i < 200 && deliveriesOf(upstream, requestId).length === 0; i++)
        await Bun.sleep(25);
      expect(deliveriesOf(upstream, requestId)).toHaveLength(1);
      ferry.child.kill("SIGKILL");
      await ferry.child.exited;
      holdMs.value = 0;

      const again = await start();
      const done = await settle(again, setup.base, requestId);
      expect(done.status).toBe("completed");
      const deliveries = deliveriesOf(upstream, requestId);
      expect(deliveries.length).toBe(2);
      // C10: the second delivery, by another process, carries every byte.
      for (const delivery of deliveries) expect(delivery.bodySha256).toBe(sha256(body));
      expect(done.attemptHistory.map((a: { error: string | null }) => a.error)).toEqual([
        "lease_expired",
        null,
      ]);
    }, 120_000);
  });
}

let crashDir: string | null = null;
afterAll(async () => {
  if (crashDir !== null) await rm(crashDir, { recursive: true, force: true });
});
crashSuite("the embedded store", async () => {
  crashDir = await mkdtemp(join(tmpdir(), "ferry-crash-"));
  return { FERRY_DATA_DIR: crashDir };
});

describe.skipIf(!hasPostgres)("C11 with the worker in its own process on Postgres", () => {
  let schema: Awaited<ReturnType<typeof postgresSchemaUrl>>;
  let upstream: RecordingUpstream;
  const running: ServedFerry[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    schema = await postgresSchemaUrl();
    upstream = await startRecordingUpstream(() => ({ status: 200, body: "ok" }));
  });
  afterAll(async () => {
    for (const process of running) if (process.child.exitCode === null) await process.stop();
    await upstream?.close();
    await schema?.drop();
    for (const cleanup of cleanups) await cleanup();
  });

  it("leaves requests queued when a worker cannot open the target credential (another master key)", async () => {
    const own = await postgresSchemaUrl();
    cleanups.push(() => own.drop());
    const env = {
      ...fastWorkerEnv,
      DATABASE_URL: own.url,
      FERRY_ADMIN_TOKEN: token,
      FERRY_DATA_DIR: "/nonexistent-ferry-data",
    };
    const masterKey = randomMasterKey();
    const server = await serveFerry({ ...env, FERRY_MASTER_KEY: masterKey, FERRY_WORKER: "off" });
    running.push(server);
    const setup = await createIntegration(asFerry(server), upstream.origin);
    // A long lease: a worker that held on to what it cannot deliver would
    // keep it from the right worker for a minute.
    const stranger = await startWorkerProcess({
      ...env,
      FERRY_MASTER_KEY: randomMasterKey(),
      FERRY_WORKER_LEASE_MS: "60000",
    });
    running.push(stranger);
    const answer = await fetch(`${server.proxy}/async/${setup.proxy.proxyId}/wrong-key`, {
      method: "POST",
      headers: { "X-API-Key": setup.key },
      body: "x",
    });
    const { requestId } = await answer.json();
    await Bun.sleep(2_000);
    const waiting = await callApi(server.core, token, "GET", `${setup.base}/requests/${requestId}`);
    expect(waiting.body).toMatchObject({ status: "queued", attempts: 0 });
    expect(stranger.output()).toContain("cannot be opened here");

    // With the stranger still running, a worker with the right key delivers
    // it at once.
    running.push(await startWorkerProcess({ ...env, FERRY_MASTER_KEY: masterKey }));
    expect((await settle(server, setup.base, requestId, 20_000)).status).toBe("completed");
    await stranger.stop();
    await server.stop();
  }, 120_000);

  it("keeps requests queued with a due time while no worker runs, and delivers them when one is back", async () => {
    const env = {
      ...fastWorkerEnv,
      DATABASE_URL: schema.url,
      FERRY_ADMIN_TOKEN: token,
      FERRY_MASTER_KEY: randomMasterKey(),
      FERRY_DATA_DIR: "/nonexistent-ferry-data",
    };
    const server = await serveFerry({ ...env, FERRY_WORKER: "off" });
    running.push(server);
    const setup = await createIntegration(asFerry(server), upstream.origin);
    const worker = await startWorkerProcess(env);
    running.push(worker);
    const seenBefore = upstream.requests.length;
    worker.child.kill("SIGKILL");
    await worker.child.exited;

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${server.proxy}/async/${setup.proxy.proxyId}/hooks/${i}`, {
        method: "POST",
        headers: { "X-API-Key": setup.key },
        body: `hook ${i}`,
      });
      expect(answer.status).toBe(202);
      ids.push((await answer.json()).requestId);
    }
    // The worker stays away; every request waits with a due time.
    await Bun.sleep(3_000);
    for (const requestId of ids) {
      const { body } = await callApi(
        server.core,
        token,
        "GET",
        `${setup.base}/requests/${requestId}`,
      );
      expect(body.status).toBe("queued");
      expect(body.nextAttemptAt).toEqual(expect.any(String));
    }
    const waiting = await callApi(server.core, token, "GET", `${setup.base}/queue`);
    expect(waiting.body.depth.queued).toBe(5);
    expect(waiting.body.oldestDue).toMatchObject({ requestId: ids[0] });
    expect(upstream.requests).toHaveLength(seenBefore);

    running.push(await startWorkerProcess(env));
    for (const requestId of ids) {
      const done = await settle(server, setup.base, requestId);
      expect(done.status).toBe("completed");
      expect(deliveriesOf(upstream, requestId)).toHaveLength(1);
    }
  }, 120_000);
});
