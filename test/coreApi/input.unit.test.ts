/**
 * The Core API's body reading on real `Request` objects: a body that breaks
 * off is the caller's 400, never an unhandled error (which answers 500 and is
 * logged as a fault of Ferry's).
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../apps/core-api/errors.ts";
import { readJsonObject } from "../../apps/core-api/input.ts";

const post = (body: BodyInit) =>
  new Request("http://127.0.0.1/clients", { method: "POST", body, duplex: "half" } as RequestInit);

const refusal = async (request: Request) => {
  try {
    await readJsonObject(request);
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error("read a body that should have been refused");
};

describe("readJsonObject", () => {
  it("refuses a body that breaks off with 400 body_incomplete", async () => {
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"clientName":'));
        controller.error(new Error("the connection was closed"));
      },
    });
    expect(await refusal(post(cut))).toEqual({ status: 400, code: "body_incomplete" });
  });

  it("refuses a body that is cut JSON with 400 malformed_json", async () => {
    expect(await refusal(post('{"clientName":'))).toEqual({ status: 400, code: "malformed_json" });
  });

  it("reads a whole JSON object", async () => {
    expect(await readJsonObject(post('{"clientName":"acme"}'))).toEqual({ clientName: "acme" });
  });
});
