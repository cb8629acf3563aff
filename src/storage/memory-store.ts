// In-process ephemeral store: the embedded default when REDIS_URL is unset (one process only).
// Same semantics as the Redis store, including TTLs and atomic consume (trivially atomic here:
// JavaScript runs one callback at a time).
import { nowSeconds, type EphemeralStore, type Payload } from './model-store.js';

type Entry = { value: Payload; expiresAt: number };

export function createMemoryStore(): EphemeralStore {
  const entries = new Map<string, Entry>();
  const counters = new Map<string, { value: number; expiresAt: number }>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();
  const key = (model: string, id: string) => `${model}:${id}`;

  const live = <T extends { expiresAt: number }>(map: Map<string, T>, k: string): T | undefined => {
    const entry = map.get(k);
    if (entry && entry.expiresAt <= Date.now()) {
      map.delete(k);
      return undefined;
    }
    return entry;
  };

  // Expired entries are dropped when read; the sweep bounds memory for entries never read again.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, entry] of entries) if (entry.expiresAt <= now) entries.delete(k);
    for (const [k, entry] of counters) if (entry.expiresAt <= now) counters.delete(k);
    for (const index of [byUid, byUserCode]) for (const [k, target] of index) if (!entries.has(target)) index.delete(k);
    for (const [grantId, set] of byGrant) {
      for (const k of set) if (!entries.has(k)) set.delete(k);
      if (set.size === 0) byGrant.delete(grantId);
    }
  }, 60_000);
  sweep.unref();

  return {
    kind: 'memory',
    async upsert(model, id, payload, expiresIn) {
      const k = key(model, id);
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      entries.set(k, { value: structuredClone(payload), expiresAt });
      if (payload.uid) byUid.set(key(model, payload.uid), k);
      if (payload.userCode) byUserCode.set(key(model, payload.userCode), k);
      if (payload.grantId) {
        const set = byGrant.get(payload.grantId) ?? new Set<string>();
        set.add(k);
        byGrant.set(payload.grantId, set);
      }
    },
    async find(model, id) {
      const entry = live(entries, key(model, id));
      return entry ? structuredClone(entry.value) : undefined;
    },
    async findByUid(model, uid) {
      const k = byUid.get(key(model, uid));
      const entry = k ? live(entries, k) : undefined;
      return entry ? structuredClone(entry.value) : undefined;
    },
    async findByUserCode(model, userCode) {
      const k = byUserCode.get(key(model, userCode));
      const entry = k ? live(entries, k) : undefined;
      return entry ? structuredClone(entry.value) : undefined;
    },
    async consume(model, id) {
      const entry = live(entries, key(model, id));
      if (!entry || entry.value.consumed) return false;
      entry.value.consumed = nowSeconds();
      return true;
    },
    async destroy(model, id) {
      entries.delete(key(model, id));
    },
    async revokeByGrantId(model, grantId) {
      const set = byGrant.get(grantId);
      if (!set) return;
      for (const k of set) {
        if (k.startsWith(`${model}:`)) {
          entries.delete(k);
          set.delete(k);
        }
      }
      if (set.size === 0) byGrant.delete(grantId);
    },
    async increment(k, windowSeconds) {
      const entry = live(counters, k);
      if (entry) {
        entry.value += 1;
        return entry.value;
      }
      counters.set(k, { value: 1, expiresAt: Date.now() + windowSeconds * 1000 });
      return 1;
    },
    async reset(k) {
      counters.delete(k);
    },
    async setIfAbsent(k, ttlSeconds) {
      if (live(counters, k)) return false;
      counters.set(k, { value: 1, expiresAt: Date.now() + ttlSeconds * 1000 });
      return true;
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
