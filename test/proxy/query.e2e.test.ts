import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRecordingUpstream, type RecordingUpstream } from "../support/recordingUpstream.ts";
import { call, fieldCaseRoute, startProxy, type RunningProxy } from "./proxyHarness.ts";

const C3 = "tag=a&tag=b&order[]=1&order[]=2&empty=&flag&tag=c";
const AWKWARD_SECRET = "s3cr&et=+x/y%z#q";

let upstream: RecordingUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy([
    fieldCaseRoute(upstream.origin),
    fieldCaseRoute(upstream.origin, {
      proxyId: "Q",
      inject: { headers: [], query: [["api_key", "tk_target"]] },
    }),
    fieldCaseRoute(upstream.origin, {
      proxyId: "AWKWARD",
      inject: { headers: [], query: [["api_key", AWKWARD_SECRET]] },
    }),
  ]);
});

afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  proxy.records.length = 0;
});

describe("C3: the query string", () => {
  it("reaches the upstream byte for byte", async () => {
    await call(proxy, `GET /api/P/items?${C3}`);

    expect(upstream.requests[0]!.query).toBe(C3);
  });

  it("keeps `+`, `%20`, `%2B`, bare flags and empty parts as written", async () => {
    const query = "q=a+b&r=a%20b&s=%2B&flag&&t=%e2%82%ac&u=%E2%82%AC";
    await call(proxy, `GET /api/P/search?${query}`);

    expect(upstream.requests[0]!.query).toBe(query);
  });

  it("replaces the caller's own copy of an injected parameter, in its place", async () => {
    await call(proxy, `GET /api/Q/items?${C3}&api_key=guess&z=1`);
    await call(proxy, "GET /api/Q/items?api_key=guess&page=1&api_key=again");

    expect(upstream.requests.map((r) => r.query)).toEqual([
      `${C3}&api_key=tk_target&z=1`,
      "api_key=tk_target&page=1",
    ]);
  });

  it("appends an injected parameter the caller did not send", async () => {
    await call(proxy, `GET /api/Q/items?${C3}`);
    await call(proxy, "GET /api/Q/items");

    expect(upstream.requests.map((r) => r.query)).toEqual([
      `${C3}&api_key=tk_target`,
      "api_key=tk_target",
    ]);
  });

  it("takes the caller key parameter out and leaves the others in order", async () => {
    await call(proxy, "GET /api/P/items?page=2&Authorization=pk_caller&tag=x", []);

    expect(upstream.requests[0]!.query).toBe("page=2&tag=x");
    expect(proxy.records[0]!.query).toBe("page=2&Authorization=[REDACTED]&tag=x");
  });
});

describe("an injected query value", () => {
  it("is percent-encoded so it decodes to exactly the stored secret", async () => {
    await call(proxy, "GET /api/AWKWARD/items?page=2&api_key=guess");

    const query = upstream.requests[0]!.query!;
    expect(query).toBe(`page=2&api_key=${encodeURIComponent(AWKWARD_SECRET)}`);
    expect(new URLSearchParams(query).getAll("api_key")).toEqual([AWKWARD_SECRET]);
    expect([...new URLSearchParams(query).keys()]).toEqual(["page", "api_key"]);
  });

  it("is redacted in the request record", async () => {
    await call(proxy, "GET /api/AWKWARD/items?page=2&api_key=guess");

    expect(proxy.records[0]!.query).toBe("page=2&api_key=[REDACTED]");
    const recorded = JSON.stringify(proxy.records);
    for (const fragment of ["s3cr", "et=+x", encodeURIComponent(AWKWARD_SECRET), "guess"]) {
      expect(recorded).not.toContain(fragment);
    }
  });
});
