/**
 * Keeps this process's configuration view and proxy table current with the
 * log: a full read at start, then a subscription (NOTIFY on server Postgres,
 * polling on PGlite), and `catchUp()` for read-your-writes after an append.
 * Every read goes through one queue, so an event is applied exactly once and
 * in log order whichever path brought it.
 */
import { streams, type FerryEvent, type Sealed } from "../../core/domain/events.ts";
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type Subscription,
} from "../../core/eventStore/eventStore.ts";
import {
  applyConfigEvent,
  emptyConfigView,
  proxiesUsing,
  type ConfigView,
} from "../../core/projections/configView.ts";
import type { ProxyRoute, ProxyTable } from "../../core/proxy/route.ts";
import { routeFor } from "../../core/proxy/routeFromConfig.ts";
import { compileRule, type CompiledRule, type Rule } from "../../core/rules/index.ts";
import type { Logger } from "./logger.ts";

export type OpenSealed = (clientId: string, sealed: Sealed) => Promise<Record<string, unknown>>;

export type LiveConfig = {
  view: ConfigView;
  table: ProxyTable;
  /** Applies everything committed so far; resolves once the view has it. */
  catchUp(): Promise<void>;
  /** Resolves once the view holds the event at `position` (bounded wait). */
  waitFor(position: GlobalPosition): Promise<void>;
  close(): Promise<void>;
};

const READ_BATCH = 1000;
/** Request records and queued requests are no configuration; they are the bulk of the log. */
const filter = { excludeStreamPrefix: [streams.requests(""), streams.async("")] };
const WAIT_FOR_LIMIT_MS = 5000;

export const startLiveConfig = async (deps: {
  store: EventStore;
  openSealed: OpenSealed;
  /** Drops what this process caches of a client's secrets. */
  forgetClient?: (clientId: string) => void;
  logger: Logger;
}): Promise<LiveConfig> => {
  const { store, openSealed, logger } = deps;
  const forgetClient = (clientId: string) => {
    deps.forgetClient?.(clientId);
    for (const [key, value] of opened) if (value.clientId === clientId) opened.delete(key);
  };
  const view = emptyConfigView();
  const routes = new Map<string, ProxyRoute>();
  const opened = new Map<string, { clientId: string; secret: Record<string, unknown> }>();
  // Rules are compiled when they change, not per rebuild of every route that
  // shares them: keyed by id and the time of their last change.
  const compiled = new Map<string, { updatedAt: string; rule: CompiledRule }>();
  const compile = (rule: Rule): CompiledRule => {
    const known = compiled.get(rule.ruleId);
    if (known && known.updatedAt === rule.updatedAt) return known.rule;
    const fresh = compileRule(rule);
    compiled.set(rule.ruleId, { updatedAt: rule.updatedAt, rule: fresh });
    return fresh;
  };
  let position: GlobalPosition | null = null;
  let queue: Promise<void> = Promise.resolve();

  const isNew = (event: RecordedEvent) =>
    position === null || comparePositions(event.position, position) > 0;

  const apply = async (events: RecordedEvent[]): Promise<void> => {
    const touchedProxies = new Set<string>();
    const touchedClients = new Set<string>();
    for (const event of events) {
      if (!isNew(event)) continue;
      position = event.position;
      const change = applyConfigEvent(view, event as unknown as FerryEvent);
      if (change.kind === "proxy") touchedProxies.add(change.id);
      if (change.kind === "credential" || change.kind === "target")
        for (const proxyId of proxiesUsing(view, change.id)) touchedProxies.add(proxyId);
      if (change.kind === "client") {
        touchedClients.add(change.id);
        // A deleted client's data key is gone: drop any copy cached here.
        if (event.type === "ClientDeleted") forgetClient(change.id);
      }
    }
    for (const route of routes.values())
      if (touchedClients.has(route.clientId)) touchedProxies.add(route.proxyId);
    for (const proxyId of touchedProxies) await rebuildRoute(proxyId);
  };

  const rebuildRoute = async (proxyId: string): Promise<void> => {
    const route = await resolveRoute(proxyId);
    if (route) routes.set(proxyId, route);
    else routes.delete(proxyId);
  };

  const resolveRoute = async (proxyId: string): Promise<ProxyRoute | undefined> => {
    const proxy = view.proxies.get(proxyId);
    if (!proxy || !view.clients.has(proxy.clientId)) return undefined;
    const target = view.targets.get(proxy.targetId);
    const proxyCredential = view.credentials.get(proxy.proxyCredentialId);
    const targetCredential = view.credentials.get(proxy.targetCredentialId);
    if (!target || !proxyCredential || !targetCredential) return undefined;

    const cacheKey = `${targetCredential.credentialId}:${targetCredential.secretVersion}`;
    let secret = opened.get(cacheKey)?.secret;
    if (!secret) {
      const sealed = targetCredential.secret.sealed;
      try {
        secret = sealed ? await openSealed(targetCredential.clientId, sealed) : {};
      } catch (error) {
        // A destroyed data key (the client was deleted) or a tampered blob:
        // the proxy cannot inject, so it does not serve.
        logger.warn(
          { proxyId, credentialId: targetCredential.credentialId, err: errorName(error) },
          "target credential cannot be opened; proxy disabled",
        );
        return undefined;
      }
      opened.set(cacheKey, { clientId: targetCredential.clientId, secret });
    }
    return routeFor(proxy, target, proxyCredential, targetCredential, secret, compile);
  };

  const pump = (): Promise<void> => {
    const run = async () => {
      for (;;) {
        const { events, position: next } = await store.readAll(position, READ_BATCH, filter);
        if (events.length === 0) {
          if (next && (position === null || comparePositions(next, position) > 0)) position = next;
          return;
        }
        await apply(events);
        if (next && (position === null || comparePositions(next, position) > 0)) position = next;
        if (events.length < READ_BATCH) return;
      }
    };
    queue = queue.then(run, run);
    return queue;
  };

  await pump();

  const subscription: Subscription = store.subscribe({
    after: position,
    filter,
    handle: (events) => {
      const run = () => apply(events);
      queue = queue.then(run, run);
      return queue;
    },
    onError: (error) =>
      logger.error({ err: errorName(error) }, "configuration subscription failed"),
  });

  return {
    view,
    table: { get: (proxyId) => routes.get(proxyId) },
    catchUp: pump,
    waitFor: async (target) => {
      const deadline = Date.now() + WAIT_FOR_LIMIT_MS;
      while (position === null || comparePositions(position, target) < 0) {
        await pump();
        if (position !== null && comparePositions(position, target) >= 0) return;
        // An older transaction still in flight holds the fence back (see
        // readAll); it commits or aborts within moments.
        if (Date.now() > deadline) throw new Error("configuration view did not catch up in time");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      await subscription.close();
      await queue.catch(() => undefined);
    },
  };
};

const errorName = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
