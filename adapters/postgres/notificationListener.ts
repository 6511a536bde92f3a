import pg from "pg";
import { sqlIdentifier } from "../sql/identifier.ts";

export type NotificationListener = {
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

/**
 * One dedicated connection that LISTENs for every subscriber in the process
 * (a pooled connection cannot: the pool hands it to someone else). It is
 * opened with the first listener and closed with the last. When the server
 * drops it, it reconnects after `reconnectMs` and wakes every listener, since
 * notifications sent in between are lost; readers also poll slowly, so a
 * lost notification costs latency, never an event.
 */
export function createNotificationListener(
  config: pg.ClientConfig,
  reconnectMs = 1_000,
): NotificationListener {
  const listeners = new Map<string, Set<() => void>>();
  let client: pg.Client | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  // Connecting, LISTEN and UNLISTEN run one at a time, so a listener added
  // while the connection opens is never forgotten.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(op: () => Promise<T>): Promise<T> => {
    const result = queue.then(op, op);
    queue = result.catch(() => undefined);
    return result;
  };

  const wakeAll = () => listeners.forEach((set) => set.forEach((onNotify) => onNotify()));

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client(config);
    next.on("notification", (message) => {
      listeners.get(message.channel)?.forEach((onNotify) => onNotify());
    });
    // A dropped connection emits "error" when idle and "end" in any case.
    next.on("error", () => dropped(next));
    next.on("end", () => dropped(next));

    await next.connect();
    for (const channel of listeners.keys()) await next.query(`LISTEN ${sqlIdentifier(channel)}`);
    return next;
  };

  const dropped = (lost: pg.Client) => {
    if (client !== lost) return;
    client = null;
    void lost.end().catch(() => undefined);
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer !== null || listeners.size === 0) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void serially(async () => {
        if (closed || client !== null || listeners.size === 0) return;
        try {
          client = await connect();
          wakeAll();
        } catch {
          scheduleReconnect();
        }
      });
    }, reconnectMs);
  };

  const listen = (channel: string, onNotify: () => void) =>
    serially(async () => {
      const statement = `LISTEN ${sqlIdentifier(channel)}`;
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(onNotify);

      try {
        client ??= await connect();
        await client.query(statement);
      } catch (error) {
        forget(channel, onNotify);
        throw error;
      }

      return () => serially(() => unlisten(channel, onNotify));
    });

  const forget = (channel: string, onNotify: () => void): boolean => {
    const set = listeners.get(channel);
    set?.delete(onNotify);
    if (set?.size !== 0) return false;
    listeners.delete(channel);
    return true;
  };

  const unlisten = async (channel: string, onNotify: () => void) => {
    if (!forget(channel, onNotify) || client === null) return;

    const current = client;
    if (listeners.size === 0) {
      client = null;
      await current.end();
      return;
    }
    await current.query(`UNLISTEN ${sqlIdentifier(channel)}`);
  };

  const close = () => {
    closed = true;
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;

    return serially(async () => {
      listeners.clear();
      const current = client;
      client = null;
      await current?.end();
    });
  };

  return { listen, close };
}
