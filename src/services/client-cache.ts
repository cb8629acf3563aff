// ISP rows cached in each instance. oidc-provider loads the client on every request it serves
// (authorize, token, userinfo, introspection…): without this, one PostgreSQL round trip each
// (docs/performance.md). Correctness comes first — a suspended ISP must be refused at once on
// every instance — so:
// - every write through these queries drops the entry here and announces the client id on the
//   change bus (Redis pub/sub: other instances and CLI processes hear it);
// - nothing is cached while the bus is not live, and the cache is emptied whenever the bus
//   (re)connects or drops, so a message missed during an outage cannot leave a stale entry;
// - a read that began before an invalidation does not store what it read (generation count);
// - entries expire after maxAgeMs anyway, bounding a change made outside the app (psql).
import { bounded, subscriberFor, type RedisConnection } from '../storage/redis-connection.js';
import type { ClientQueries, ClientRow } from '../queries/clients.js';

export type ClientChangeBus = {
  /** Tells every instance (this one included) that the client changed. */
  announce(clientId: string): Promise<void>;
  /** `undefined`: anything may have changed (the bus reconnected or dropped). */
  onChange(listener: (clientId: string | undefined) => void): void;
  live(): boolean;
  close(): Promise<void>;
};

/** One process, no Redis (embedded stores): the bus is a function call. */
export function createLocalClientChangeBus(): ClientChangeBus {
  const listeners: Array<(clientId: string | undefined) => void> = [];
  return {
    announce: async (clientId) => listeners.forEach((l) => l(clientId)),
    onChange: (listener) => void listeners.push(listener),
    live: () => true,
    close: async () => {},
  };
}

/** Redis pub/sub on `${prefix}clients:changed`, with its own subscriber connection. */
export function createRedisClientChangeBus(redis: RedisConnection, prefix: string): ClientChangeBus {
  const channel = `${prefix}clients:changed`;
  const subscriber = subscriberFor(redis);
  const listeners: Array<(clientId: string | undefined) => void> = [];
  const emit = (clientId: string | undefined) => listeners.forEach((l) => l(clientId));
  let subscribed = false;
  const subscribe = () => subscriber.subscribe(channel).then(() => { subscribed = true; emit(undefined); }, () => {});
  void subscribe();
  // ioredis resubscribes after a reconnect; until it has, and after any drop, trust nothing.
  subscriber.on('close', () => { subscribed = false; emit(undefined); });
  subscriber.on('ready', () => { if (!subscribed) void subscribe(); });
  subscriber.on('message', (_channel: string, clientId: string) => emit(clientId));
  return {
    async announce(clientId) {
      emit(clientId);
      await bounded(redis, () => redis.publish(channel, clientId));
    },
    onChange: (listener) => void listeners.push(listener),
    live: () => subscribed && subscriber.status === 'ready',
    async close() {
      await Promise.race([subscriber.quit(), new Promise((resolve) => setTimeout(resolve, 1000))]).catch(() => {});
      subscriber.disconnect();
    },
  };
}

export function createCachedClientQueries(queries: ClientQueries, bus: ClientChangeBus, options: { maxAgeMs?: number; maxEntries?: number } = {}): ClientQueries {
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { row: ClientRow; at: number }>();
  let generation = 0;
  bus.onChange((clientId) => {
    generation += 1;
    if (clientId === undefined) entries.clear();
    else entries.delete(clientId);
  });
  const changed = async (clientId: string) => {
    generation += 1;
    entries.delete(clientId);
    await bus.announce(clientId);
  };
  return {
    ...queries,
    async findClientById(clientId) {
      const cached = entries.get(clientId);
      if (cached && Date.now() - cached.at < maxAgeMs && bus.live()) return cached.row;
      const startedAt = generation;
      const row = await queries.findClientById(clientId);
      if (row && bus.live() && generation === startedAt) {
        if (entries.size >= maxEntries) entries.clear();
        entries.set(clientId, { row, at: Date.now() });
      }
      return row;
    },
    async upsertClient(row) {
      try { await queries.upsertClient(row); } finally { await changed(row.client_id); }
    },
    async recordStatusChange(change) {
      try { return await queries.recordStatusChange(change); } finally { await changed(change.clientId); }
    },
    async replaceClientSecretCiphertext(clientId, previous, next) {
      try { return await queries.replaceClientSecretCiphertext(clientId, previous, next); } finally { await changed(clientId); }
    },
    async deleteClient(clientId) {
      try { await queries.deleteClient(clientId); } finally { await changed(clientId); }
    },
  };
}
