import { describe, expect, it } from "vitest";
import { unfoldRecords } from "../../adapters/requestLog/unfoldRecords.ts";
import { recordedBatch, recordOf } from "./records.ts";

describe("unfoldRecords", () => {
  it("answers one row per record, its columns drawn from the record", () => {
    const records = [recordOf(), recordOf({ status: "denied", responseStatus: null, duration: 0 })];

    const { rows, malformed } = unfoldRecords([recordedBatch(records)]);

    expect(malformed).toEqual([]);
    expect(rows).toEqual(
      records.map((record) => ({
        requestId: record.requestId,
        clientId: record.clientId,
        proxyId: record.proxyId,
        status: record.status,
        occurredAt: record.timestamp,
        duration: record.duration,
        responseStatus: record.responseStatus,
        record,
      })),
    );
  });

  it("takes the batch's proxy and client when a record lacks them, and reads duration as a number", () => {
    const { requestId, timestamp } = recordOf();
    const batch = recordedBatch([recordOf()]);
    batch.data = {
      proxyId: "prx_9",
      clientId: "cli_9",
      records: [{ requestId, timestamp, status: "failed", duration: "x", responseStatus: 5.5 }],
    };

    expect(unfoldRecords([batch]).rows[0]).toMatchObject({
      proxyId: "prx_9",
      clientId: "cli_9",
      duration: 0,
      responseStatus: null,
    });
  });

  it("ignores other event types and reports records it cannot read", () => {
    const other = { ...recordedBatch([recordOf()]), type: "SomethingElse" };
    const bad = recordedBatch([recordOf()]);
    bad.data = {
      ...bad.data,
      records: [null, { requestId: "req_1" }, recordOf({ timestamp: "soon" })],
    };

    const { rows, malformed } = unfoldRecords([other, bad]);

    expect(rows).toEqual([]);
    expect(malformed.map((m) => m.reason)).toEqual([
      "record 0: not an object",
      "record 1: no status",
      "record 2: no readable timestamp",
    ]);
  });
});
