// What one real sign-in writes through oidc-provider's adapter, recorded so that the size
// benchmark can write the same records again for synthetic citizens: every upsert, consume and
// destroy on the durable (PostgreSQL) and ephemeral (Redis) model stores, in order.
import type { ModelStore, Payload } from '../../src/storage/model-store.js';

export type StoreName = 'durable' | 'ephemeral';
export type RecordedWrite =
  | { store: StoreName; op: 'upsert'; model: string; id: string; payload: Payload; expiresIn?: number }
  | { store: StoreName; op: 'consume' | 'destroy'; model: string; id: string };

/** Starts recording writes on these stores; `stop()` restores them and returns what was written. */
export function recordWrites(stores: Record<StoreName, ModelStore>): { stop(): RecordedWrite[] } {
  const writes: RecordedWrite[] = [];
  const restore: Array<() => void> = [];
  for (const [store, target] of Object.entries(stores) as Array<[StoreName, ModelStore]>) {
    const { upsert, consume, destroy } = target;
    target.upsert = (model, id, payload, expiresIn) => {
      writes.push({ store, op: 'upsert', model, id, payload: structuredClone(payload), expiresIn });
      return upsert.call(target, model, id, payload, expiresIn);
    };
    target.consume = (model, id) => { writes.push({ store, op: 'consume', model, id }); return consume.call(target, model, id); };
    target.destroy = (model, id) => { writes.push({ store, op: 'destroy', model, id }); return destroy.call(target, model, id); };
    restore.push(() => Object.assign(target, { upsert, consume, destroy }));
  }
  return { stop: () => { for (const r of restore) r(); return writes; } };
}

/**
 * The same writes for another sign-in: every identifier the recording used (record ids, and the
 * `from` values, such as the citizen's) replaced wherever it appears in a payload — as a value
 * or as an object key — by a fresh one of the same length, or by its `to` counterpart.
 */
export function rewrite(writes: RecordedWrite[], from: string[], to: string[], fresh: (length: number) => string): RecordedWrite[] {
  const map = new Map<string, string>(from.map((value, i) => [value, to[i]!]));
  for (const w of writes) if (!map.has(w.id)) map.set(w.id, fresh(w.id.length));
  for (const w of writes) if (w.op === 'upsert') for (const key of ['uid', 'grantId', 'sessionUid', 'jti'] as const) {
    const value = w.payload[key];
    if (typeof value === 'string' && !map.has(value)) map.set(value, fresh(value.length));
  }
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') return map.get(value) ?? value;
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [map.get(k) ?? k, swap(v)]));
    return value;
  };
  return writes.map((w) => (w.op === 'upsert' ? { ...w, id: map.get(w.id)!, payload: swap(w.payload) as Payload } : { ...w, id: map.get(w.id)! }));
}

export async function replay(stores: Record<StoreName, ModelStore>, writes: RecordedWrite[]): Promise<void> {
  for (const w of writes) {
    const store = stores[w.store];
    if (w.op === 'upsert') await store.upsert(w.model, w.id, w.payload, w.expiresIn);
    else if (w.op === 'consume') await store.consume(w.model, w.id);
    else await store.destroy(w.model, w.id);
  }
}
