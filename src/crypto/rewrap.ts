// Re-wrapping stored data keys under the active key-encryption key (KEK rotation), one kind of
// record at a time, while the service keeps running:
// - in batches, in a stable order (keyset pagination), so memory and transactions stay small;
// - each write is a compare-and-set on the value that was read: a row changed meanwhile (a
//   citizen cancelled, a client secret replaced, another rotation run) is never overwritten
//   with stale data. The row is read again and retried, or counted as gone;
// - idempotent: a value already under the active KEK is left exactly as it is.
import { DecryptionError } from './envelope.js';

/** One stored value holding a wrapped data key ("v1:<kek id>:…"). */
export type WrappedItem = { id: string; wrapped: string };

export type RewrapSource = {
  /** Items ordered by id, after `afterId` (null: from the start), at most `limit`. */
  list(afterId: string | null, limit: number): Promise<WrappedItem[]>;
  /** The item's stored value now; null or undefined when it no longer exists (or has no key). */
  current(id: string): Promise<string | null | undefined>;
  /** The value re-wrapped under the active KEK, or undefined when it already is. */
  rewrap(item: WrappedItem): string | undefined;
  /** Compare-and-set: true when `previous` was still stored and is now `next`. */
  replace(id: string, previous: string, next: string): Promise<boolean>;
  /** The KEK id a stored value names. */
  kekIdOf(wrapped: string): string | undefined;
  /** How many items name each KEK id (defaults to a scan through `list`). */
  countByKek?(): Promise<Record<string, number>>;
};

export type RewrapCounts = {
  /** Re-wrapped under the active KEK by this run. */
  rewrapped: number;
  /** Already under the active KEK: left untouched. */
  already_current: number;
  /** Deleted or emptied while the run was working on them (e.g. a cancelled citizen). */
  gone: number;
  /** Compare-and-set attempts lost to a concurrent change (each one re-read and retried). */
  retried: number;
  /** Still changing after every attempt: left for the next run. */
  conflicts: number;
  /** Naming a KEK that is not configured, or failing authentication: left as they are. */
  unreadable: number;
};

export type RewrapOptions = { batchSize?: number; maxAttempts?: number };

export const DEFAULT_BATCH_SIZE = 500;

export async function rewrapAll(source: RewrapSource, options: RewrapOptions = {}): Promise<RewrapCounts> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxAttempts = options.maxAttempts ?? 3;
  const counts: RewrapCounts = { rewrapped: 0, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0 };

  async function one(item: WrappedItem): Promise<void> {
    let stored = item.wrapped;
    for (let attempt = 1; ; attempt += 1) {
      let next: string | undefined;
      try {
        next = source.rewrap({ id: item.id, wrapped: stored });
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        counts.unreadable += 1;
        return;
      }
      if (next === undefined) {
        counts.already_current += 1;
        return;
      }
      if (await source.replace(item.id, stored, next)) {
        counts.rewrapped += 1;
        return;
      }
      const now = await source.current(item.id);
      if (now === null || now === undefined) {
        counts.gone += 1;
        return;
      }
      if (attempt >= maxAttempts) {
        counts.conflicts += 1;
        return;
      }
      counts.retried += 1;
      stored = now;
    }
  }

  for (let after: string | null = null; ;) {
    const batch = await source.list(after, batchSize);
    // Sequential within a batch: a rotation should not compete with sign-ins for the pool.
    for (const item of batch) await one(item);
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.id;
  }
  return counts;
}

/** How many stored values name each KEK id. */
export async function countByKek(source: RewrapSource, batchSize = DEFAULT_BATCH_SIZE): Promise<Record<string, number>> {
  if (source.countByKek) return source.countByKek();
  const counts: Record<string, number> = {};
  for (let after: string | null = null; ;) {
    const batch = await source.list(after, batchSize);
    for (const item of batch) {
      const kek = source.kekIdOf(item.wrapped) ?? '(malformed)';
      counts[kek] = (counts[kek] ?? 0) + 1;
    }
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.id;
  }
  return counts;
}
