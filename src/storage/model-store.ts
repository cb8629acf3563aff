// The one storage contract behind oidc-provider's adapter, implemented four times:
// PostgreSQL and PGlite (durable, through knex) and Redis and memory (ephemeral, TTL'd).
// test/storage/model-store.contract.ts runs the same suite against all of them.

/** What oidc-provider hands an adapter: JSON with a few indexed fields. */
export type Payload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  clientId?: string;
  consumed?: number;
};

export interface ModelStore {
  upsert(model: string, id: string, payload: Payload, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<Payload | undefined>;
  findByUid(model: string, uid: string): Promise<Payload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<Payload | undefined>;
  /**
   * Marks the entry consumed, atomically. Returns true only for the one call that consumed it;
   * false if it was already consumed (a replay) or does not exist.
   */
  consume(model: string, id: string): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(model: string, grantId: string): Promise<void>;
}

/** Fixed-window counters for rate limits and replay detection, every key with a TTL. */
export interface CounterStore {
  /** Increments the counter and returns its new value; the window starts at the first hit. */
  increment(key: string, windowSeconds: number): Promise<number>;
  reset(key: string): Promise<void>;
  /** Sets key only if absent; true when this call set it (single-use markers, e.g. jti). */
  setIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
}

export type EphemeralStore = ModelStore & CounterStore & {
  kind: 'redis' | 'memory';
  close(): Promise<void>;
};

export const nowSeconds = () => Math.floor(Date.now() / 1000);
