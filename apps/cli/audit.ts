/**
 * `ferry audit <credential|target|proxy> <id>` (spec §6): the resource's
 * history from the store, as a table or as the Core API's JSON. An operator
 * command: it reads the store directly, with no tenant check, so on the
 * embedded store it needs the server stopped (one process per data folder).
 */
import { readHistory } from "../core-api/routes/history.ts";
import type { HistoryEntry, HistoryKind } from "../../core/projections/history.ts";
import { withFerry } from "./withFerry.ts";

export const auditKinds: readonly HistoryKind[] = ["credential", "target", "proxy"];

export type AuditOptions = { json: boolean; asOf?: string };

/** One line per entry; changes as `field=value`, objects in compact JSON. */
export const formatHistory = (entries: readonly HistoryEntry[]): string => {
  const rows = entries.map((entry) => [
    String(entry.version),
    entry.at,
    entry.type,
    entry.actor ?? "-",
    Object.entries(entry.changes)
      .map(
        ([field, value]) => `${field}=${typeof value === "string" ? value : JSON.stringify(value)}`,
      )
      .join(" "),
  ]);
  const header = ["VERSION", "AT", "TYPE", "ACTOR", "CHANGES"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  // The last column is left unpadded so that lines carry no trailing blanks.
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n") + "\n";
};

const fail = (message: string): never => {
  console.error(`ferry: ${message}`);
  process.exit(1);
};

export const auditCommand = async (kind: string, id: string, options: AuditOptions) => {
  if (!(auditKinds as readonly string[]).includes(kind))
    fail(`audit takes one of ${auditKinds.join(", ")}, not ${kind}`);
  const asOf = options.asOf === undefined ? undefined : new Date(options.asOf);
  if (asOf !== undefined && Number.isNaN(asOf.getTime()))
    fail(`--as-of must be an ISO-8601 timestamp, not ${options.asOf}`);

  await withFerry(async (deps) => {
    const history = await readHistory(deps, kind as HistoryKind, id, asOf);
    if (history === undefined) {
      console.error(`ferry: no ${kind} ${id}`);
      process.exitCode = 1;
    } else if (options.json || asOf !== undefined) {
      process.stdout.write(`${JSON.stringify(history.body, null, 2)}\n`);
    } else {
      process.stdout.write(formatHistory((history.body as { data: HistoryEntry[] }).data));
    }
  });
};
