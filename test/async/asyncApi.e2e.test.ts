/**
 * The queued API end to end (spec §5) on the embedded store: submission,
 * delivery with the target credential, retries, the kept answer, replay,
 * idempotency keys, and bad input that queues nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { headerValues, type Responder } from "../support/recordingUpstream.ts";
import { closeSharedPGlite } from "../support/stores.ts";
import { deliveriesOf, sha256, startAsyncFerry, type AsyncSetup } from "./asyncHarness.ts";

let setup: AsyncSetup;
const ok: Responder = () => ({
  status: 200,
  headers: [["Content-Type", "text/plain"]],
  body: "ok",
});

beforeAll(async () => {
  setup = await startAsyncFerry();
}, 60_000);

afterAll(async () => {
  await setup?.ferry.close();
  await setup?.upstream.close();
  await closeSharedPGlite();
});

beforeEach(() => setup.upstream.respondWith(ok));

describe("submission", () => {
  it("answers 202 queued, then delivers with the target credential and the request id as Idempotency-Key", async () => {
    const answer = await setup.submit("/hooks?x=1&x=2", {
      headers: { "Content-Type": "application/json", "X-Custom": "kept" },
      body: JSON.stringify({ event: "order.created" }),
    });
    expect(answer.status).toBe(202);
    const body = await answer.json();
    expect(body).toEqual({ requestId: expect.stringMatching(/^req_/), status: "queued" });
    expect(answer.headers.get("x-request-id")).toBe(body.requestId);

    const done = await setup.settle(body.requestId);
    expect(done).toMatchObject({ status: "completed", responseStatus: 200, attempts: 1 });
    expect(done.response).toMatchObject({ status: 200, body: "ok", bodyEncoding: "utf8" });
    expect(done.attemptHistory).toEqual([
      expect.objectContaining({
        attempt: 1,
        responseStatus: 200,
        error: null,
        outcome: "completed",
        targetCredentialId: setup.integration.targetCredential.credentialId,
        targetCredentialVersion: expect.any(Number),
      }),
    ]);
    expect(done.targetCredentialId).toBe(setup.integration.targetCredential.credentialId);

    const [seen, ...more] = deliveriesOf(setup.upstream, body.requestId);
    expect(more).toEqual([]);
    expect(seen!.method).toBe("POST");
    expect(seen!.target).toBe("/hooks?x=1&x=2");
    expect(seen!.body.toString()).toBe(JSON.stringify({ event: "order.created" }));
    expect(headerValues(seen!, "x-api-key")).toEqual(["tk_target"]);
    expect(headerValues(seen!, "x-custom")).toEqual(["kept"]);
    expect(headerValues(seen!, "x-request-id")).toEqual([body.requestId]);
    expect(seen!.head).not.toContain(setup.integration.key);
  });

  it("answers 405 with Allow to GET and HEAD, and queues nothing", async () => {
    for (const method of ["GET", "HEAD"]) {
      const answer = await setup.submit("/hooks", { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST, PUT, PATCH, DELETE");
    }
  });

  it("denies a wrong key with 403 and queues nothing", async () => {
    const before = setup.upstream.requests.length;
    const answer = await fetch(`${setup.asyncURL}/hooks`, {
      method: "POST",
      headers: { "X-API-Key": "pk_wrong" },
      body: "x",
    });
    expect(answer.status).toBe(403);
    const stats = await setup.ferry.api("GET", `${setup.integration.base}/queue`);
    expect(stats.body.depth.total).toBe(0);
    await Bun.sleep(200);
    expect(setup.upstream.requests.length).toBe(before);
  });

  it("refuses a body over the limit with 413 and a malformed Idempotency-Key with 400", async () => {
    const big = await setup.submit("/hooks", { body: new Uint8Array(10 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("body_too_large");
    const badKey = await setup.submit("/hooks", {
      headers: { "Idempotency-Key": "has space" },
      body: "x",
    });
    expect(badKey.status).toBe(400);
    expect((await badKey.json()).error.code).toBe("invalid_idempotency_key");
    const stats = await setup.ferry.api("GET", `${setup.integration.base}/queue`);
    expect(stats.body.depth.total).toBe(0);
  });

  it("answers a resubmission under the same Idempotency-Key with the first request id", async () => {
    const send = () =>
      setup.submit("/orders", { headers: { "Idempotency-Key": "order-42" }, body: "first" });
    const first = await (await send()).json();
    const again = await send();
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json()).requestId).toBe(first.requestId);
    await setup.settle(first.requestId);
    await Bun.sleep(200);
    expect(deliveriesOf(setup.upstream, first.requestId)).toHaveLength(1);
    expect(setup.upstream.requests.filter((seen) => seen.path === "/orders")).toHaveLength(1);
  });
});

describe("retries", () => {
  it("C10: every attempt carries the whole body", async () => {
    let calls = 0;
    setup.upstream.respondWith((seen) => {
      if (seen.path !== "/upload") return { status: 404, body: "" };
      calls += 1;
      return calls === 1
        ? { status: 503, body: "" }
        : { status: 200, body: JSON.stringify({ sha256: seen.bodySha256 }) };
    });
    const body = crypto.getRandomValues(new Uint8Array(256 * 1024));
    const { requestId } = await (await setup.submit("/upload", { body })).json();
    const done = await setup.settle(requestId);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    const attempts = deliveriesOf(setup.upstream, requestId);
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.body.length).toBe(body.length);
      expect(attempt.bodySha256).toBe(sha256(body));
    }
    expect(JSON.parse(done.response.body)).toEqual({ sha256: sha256(body) });
  });

  it("retries 408, 429 and 5xx, completes on any other status without a retry", async () => {
    const script = [408, 429, 500, 502, 422];
    let at = 0;
    setup.upstream.respondWith(() => ({ status: script[at++] ?? 200, body: "" }));
    const { requestId } = await (await setup.submit("/mixed", { body: "x" })).json();
    const done = await setup.settle(requestId);
    expect(done).toMatchObject({ status: "completed", responseStatus: 422, attempts: 5 });
    expect(done.attemptHistory.map((a: { outcome: string }) => a.outcome)).toEqual([
      "retrying",
      "retrying",
      "retrying",
      "retrying",
      "completed",
    ]);
  });

  it("honours Retry-After", async () => {
    let first = true;
    setup.upstream.respondWith(() => {
      if (!first) return { status: 200, body: "" };
      first = false;
      return { status: 429, headers: [["Retry-After", "1"]], body: "" };
    });
    const { requestId } = await (await setup.submit("/later", { body: "x" })).json();
    const done = await setup.settle(requestId);
    const [one, two] = done.attemptHistory;
    expect(Date.parse(two.startedAt) - Date.parse(one.endedAt)).toBeGreaterThanOrEqual(1000);
  });

  it("fails once the retries are spent, keeps the last answer, and replays on request", async () => {
    setup.upstream.respondWith(() => ({ status: 500, body: "down" }));
    const { requestId } = await (await setup.submit("/flaky", { body: "payload" })).json();
    const failed = await setup.settle(requestId, undefined, 30_000);
    expect(failed).toMatchObject({
      status: "failed",
      failureReason: "retries_exhausted",
      attempts: 11,
      responseStatus: 500,
    });
    expect(failed.response).toMatchObject({ status: 500, body: "down" });
    expect(deliveriesOf(setup.upstream, requestId)).toHaveLength(11);

    setup.upstream.respondWith(ok);
    const replayed = await setup.ferry.api(
      "POST",
      `${setup.integration.base}/requests/${requestId}/replay`,
    );
    expect(replayed.status).toBe(202);
    expect(replayed.body).toEqual({ requestId, status: "queued" });
    const done = await setup.settle(requestId);
    expect(done).toMatchObject({ status: "completed", attempts: 12 });
    const last = deliveriesOf(setup.upstream, requestId).at(-1)!;
    expect(last.body.toString()).toBe("payload");

    const again = await setup.ferry.api(
      "POST",
      `${setup.integration.base}/requests/${requestId}/replay`,
    );
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe("request_not_failed");
  });

  it("answers concurrent replays of one failed request with one 202 and no 500", async () => {
    setup.upstream.respondWith(() => ({ status: 500, body: "" }));
    const target = `${setup.integration.base}/targets/${setup.integration.target.targetId}`;
    const changed = await setup.ferry.api("PUT", target, { retryPolicy: { maxRetries: 0 } });
    expect(changed.status).toBe(200);
    try {
      const { requestId } = await (await setup.submit("/replayed", { body: "x" })).json();
      expect((await setup.settle(requestId)).status).toBe("failed");
      setup.upstream.respondWith(ok);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          setup.ferry.api("POST", `${setup.integration.base}/requests/${requestId}/replay`),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 202)).toHaveLength(1);
      expect(statuses.filter((status) => ![202, 409, 422].includes(status))).toEqual([]);
      expect((await setup.settle(requestId)).status).toBe("completed");
      expect(deliveriesOf(setup.upstream, requestId)).toHaveLength(2);
    } finally {
      await setup.ferry.api("PUT", target, { retryPolicy: null });
    }
  });

  it("keeps a long UTF-8 answer as text, cut at a character boundary", async () => {
    const long = "éa".repeat(700_000);
    setup.upstream.respondWith(() => ({
      status: 200,
      headers: [["Content-Type", "text/plain; charset=utf-8"]],
      body: long,
    }));
    const { requestId } = await (await setup.submit("/long", { body: "x" })).json();
    const done = await setup.settle(requestId);
    expect(done.response).toMatchObject({ bodyEncoding: "utf8", truncated: true });
    expect(long.startsWith(done.response.body)).toBe(true);
    expect(Buffer.byteLength(done.response.body)).toBeGreaterThan(1024 * 1024 - 4);
    expect(done.response.headers.map(([name]: [string]) => name)).not.toContain("connection");
  });

  it("retries an unreachable upstream as a connection error", async () => {
    const base = setup.integration.base;
    const gone = await setup.ferry.api("POST", `${base}/targets`, {
      targetName: "Gone",
      baseURL: "http://127.0.0.1:1",
      retryPolicy: { maxRetries: 2 },
    });
    expect(gone.status).toBe(201);
    expect(gone.body.retryPolicy).toEqual({ maxRetries: 2 });
    const proxy = await setup.ferry.api("POST", `${base}/proxies`, {
      proxyName: "gone",
      proxyCredentialId: setup.integration.proxyCredential.credentialId,
      targetId: gone.body.targetId,
      targetCredentialId: setup.integration.targetCredential.credentialId,
    });
    const url = `${proxy.body.baseURL.replace("/api/", "/async/")}/x`;
    const answer = await fetch(url, {
      method: "POST",
      headers: { "X-API-Key": setup.integration.key },
      body: "x",
    });
    const { requestId } = await answer.json();
    const failed = await setup.settle(requestId);
    expect(failed).toMatchObject({ status: "failed", attempts: 3, responseStatus: null });
    expect(failed.attemptHistory.map((a: { error: string }) => a.error)).toEqual([
      "connection",
      "connection",
      "connection",
    ]);

    // Its proxy deleted, the request cannot be queued again.
    const removed = await setup.ferry.api("DELETE", `${base}/proxies/${proxy.body.proxyId}`);
    expect(removed.status).toBe(204);
    const replayed = await setup.ferry.api("POST", `${base}/requests/${requestId}/replay`);
    expect(replayed.status).toBe(422);
    expect(replayed.body.error.code).toBe("proxy_deleted");
    expect((await setup.request(requestId)).body.status).toBe("failed");
  });
});

describe("the request log and the queue", () => {
  it("lists queued requests with their attempts beside synchronous ones", async () => {
    const { requestId } = await (await setup.submit("/listed", { body: "x" })).json();
    await setup.settle(requestId);
    const sync = await fetch(`${setup.integration.proxy.baseURL}/sync`, {
      headers: { "X-API-Key": setup.integration.key },
    });
    expect(sync.status).toBe(200);
    const page = await setup.ferry.api("GET", `${setup.integration.base}/requests?limit=100`);
    const listed = page.body.data.find((r: { requestId: string }) => r.requestId === requestId);
    expect(listed).toMatchObject({
      status: "completed",
      attempts: 1,
      method: "POST",
      path: "/listed",
    });
    const stats = await setup.ferry.api("GET", `${setup.integration.base}/queue`);
    expect(stats.status).toBe(200);
    expect(stats.body.depth.total).toBe(0);
    expect(stats.body.outcomes.completed).toBeGreaterThan(0);
  });
});

describe("a store that cannot take the request", () => {
  it("answers 503, never 202, and queues nothing", async () => {
    const accepted = async () =>
      (
        await setup.ferry.sql.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM ferry_events WHERE type = 'AsyncRequestAccepted'`,
        )
      ).rows[0]!.n;
    const before = await accepted();
    await setup.ferry.sql.exec(`ALTER TABLE ferry_async_requests RENAME TO ferry_async_away`);
    try {
      const answer = await setup.submit("/while-down", { body: "x" });
      expect(answer.status).toBe(503);
      expect((await answer.json()).error.code).toBe("queue_unavailable");
    } finally {
      await setup.ferry.sql.exec(`ALTER TABLE ferry_async_away RENAME TO ferry_async_requests`);
    }
    expect(await accepted()).toBe(before);
    const after = await setup.submit("/after", { body: "x" });
    expect(after.status).toBe(202);
    await setup.settle((await after.json()).requestId);
  });
});
