/**
 * How an event's data is stored: as jsonb, or, when its JSON is large, as
 * gzip bytes of that JSON beside a JSON null (migration 007). Request batch
 * events are the large ones; everything else stays readable jsonb.
 *
 * The bytes travel as base64 text both ways: one text parameter on pg and
 * PGlite alike, decoded and encoded by Postgres itself.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { events as e } from "./tables.ts";

/** Data whose JSON reaches this many characters is stored compressed. */
export const compressFromChars = 16 * 1024;

/*
 * The fastest level: the JSON of request records is so repetitive that it
 * already shrinks about twentyfold, and the proxy's process pays for every
 * byte of effort.
 */
const level = 1;

/**
 * The data of one event as fields of the JSON the insert reads:
 * `"data":{…}` or `"data":null,"gzip":"<base64>"`.
 */
export function storedDataFields(data: unknown): string {
  const json = JSON.stringify(data);
  if (json.length < compressFromChars) return `"data":${json}`;
  const gzip = gzipSync(json, { level }).toString("base64");
  return `"data":null,"gzip":"${gzip}"`;
}

/**
 * The select-list expression for the compressed bytes as base64 without line
 * breaks (`encode` breaks every 76 characters), or NULL. `table` qualifies
 * the column where a query joins.
 */
export const compressedDataColumn = (table: string = e.table) =>
  `translate(encode(${table}.${e.compressedData}, 'base64'), E'\\n', '')`;

/** The JSON text of compressed data, as `storedDataFields` was given it. */
export function inflatedJson(compressed: string): string {
  return gunzipSync(Buffer.from(compressed, "base64")).toString("utf8");
}

/** The data of an event as read: its jsonb, or its compressed JSON parsed. */
export function dataOf(data: unknown, compressed: string | null | undefined): unknown {
  if (compressed == null) return data;
  return JSON.parse(inflatedJson(compressed));
}
