import type { EventStore } from "../../core/eventStore/eventStore.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { appendMany } from "./appendMany.ts";
import { appendToStream } from "./appendToStream.ts";
import { readAll } from "./readAll.ts";
import { readCheckpoint } from "./readCheckpoint.ts";
import { readStream } from "./readStream.ts";
import { storeCheckpoint } from "./storeCheckpoint.ts";
import {
  defaultSubscribeTiming,
  subscribe,
  type SubscribeTiming,
  type SubscriptionControl,
} from "./subscribe.ts";

/**
 * The event store over any `SqlClient` (server Postgres or PGlite), whose
 * schema `migrate` has created. `close()` ends the store's subscriptions; the
 * client stays open for its other users and is closed by whoever opened it.
 * Subscriptions of this store are woken by its own appends at once, and by
 * other processes' appends through NOTIFY where the client can listen.
 *
 * @example
 * const sql = await openPGlite({ dataDir: ".ferry/db" });
 * await migrate(sql);
 * const store = createSqlEventStore(sql);
 * await store.appendToStream("client-cli_01", [event], expectNoStream);
 */
export function createSqlEventStore(
  sql: SqlClient,
  timing: Partial<SubscribeTiming> = {},
): EventStore {
  const subscribeTiming = { ...defaultSubscribeTiming, ...timing };
  const subscriptions = new Set<SubscriptionControl>();

  const woken = <T>(result: T): T => {
    subscriptions.forEach((subscription) => subscription.wake());
    return result;
  };

  return {
    appendToStream: async (streamId, events, expected) =>
      woken(await appendToStream(sql, streamId, events, expected)),
    appendMany: async (appends) => woken(await appendMany(sql, appends)),
    readStream: (streamId) => readStream(sql, streamId),
    readAll: (after, limit, filter) => readAll(sql, after, limit, filter),
    subscribe: (options) => {
      const subscription = subscribe(sql, options, subscribeTiming);
      subscriptions.add(subscription);
      return {
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },
    readCheckpoint: (name) => readCheckpoint(sql, name),
    storeCheckpoint: (name, expected, next) => storeCheckpoint(sql, name, expected, next),
    close: async () => {
      const open = [...subscriptions];
      subscriptions.clear();
      await Promise.all(open.map((subscription) => subscription.close()));
    },
  };
}
