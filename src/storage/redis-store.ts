// Redis ephemeral store, on one server or a Redis Cluster (key layout: redis-keys.ts). Every
// key carries a TTL. An entry is a hash {payload, consumed} so that consume is one atomic
// HSETNX (two racing redemptions of one code: exactly one wins). Secondary indexes (uid,
// userCode) are plain keys with the entry's TTL; a grant's entries are a set whose TTL is
// stretched to the longest-lived member.
// Round trips (docs/performance.md): an upsert is one script for the entry plus one command per
// index it has, all sent at once; a token under a grant is 2 commands, not a MULTI of 6.
import { createHash } from 'node:crypto';
import { nowSeconds, type EphemeralStore, type Payload } from './model-store.js';
import { bounded, closeRedis, connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import { createRedisKeys } from './redis-keys.js';

// Replaces the entry whole (a stale `consumed` must not survive a rewrite) and sets its TTL.
const WRITE_ENTRY = `
redis.call('DEL', KEYS[1])
if ARGV[3] then
  redis.call('HSET', KEYS[1], 'payload', ARGV[1], 'consumed', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'payload', ARGV[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])`;

// Adds an entry to its grant's set and stretches the set's TTL to cover it (never shortens it).
const ADD_TO_GRANT = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end`;

// Sets `consumed` only on an existing entry: HSETNX alone would resurrect an expired one
// without a TTL.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])`;

// Increments a counter, starting its window (TTL) on the first hit.
const INCREMENT = `
local value = redis.call('INCR', KEYS[1])
if value == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return value`;

const MAX_TTL = 60 * 60 * 24 * 400; // nothing in Redis lives forever

/** A one-key script sent by its SHA (EVALSHA), loaded on the node that lacks it (NOSCRIPT). */
function script(redis: RedisConnection, lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (key: string, ...args: string[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, 1, key, ...args);
    }
  };
}

export type RedisStoreOptions = RedisTarget & { prefix?: string };

export function createRedisStore(options: RedisStoreOptions): EphemeralStore & { redis: RedisConnection; prefix: string } {
  const keys = createRedisKeys(options.prefix ?? 'cyberid:');
  const redis = connectRedis(options);
  const writeEntry = script(redis, WRITE_ENTRY);
  const addToGrant = script(redis, ADD_TO_GRANT);
  const consume = script(redis, CONSUME);
  const increment = script(redis, INCREMENT);
  // Every operation within one deadline (redis-connection.ts `bounded`).
  const run = <T>(work: () => Promise<T>) => bounded(redis, work);

  const read = async (k: string): Promise<Payload | undefined> => {
    const hash = await redis.hgetall(k);
    if (!hash.payload) return undefined;
    const payload = JSON.parse(hash.payload) as Payload;
    if (hash.consumed) payload.consumed = Number(hash.consumed);
    return payload;
  };
  const readVia = async (indexKey: string) => {
    const target = await redis.get(indexKey);
    return target ? read(target) : undefined;
  };

  return {
    kind: 'redis',
    redis,
    prefix: keys.prefix,
    upsert: (model, id, payload, expiresIn) => run(async () => {
      const ttl = String(Math.min(expiresIn && expiresIn > 0 ? expiresIn : MAX_TTL, MAX_TTL));
      const k = keys.entry(model, id);
      const { consumed, ...rest } = payload;
      // Each write is one key in its own slot, all in flight together; if any fails the upsert
      // fails, so no token is handed out whose indexes are missing (redis-keys.ts).
      const writes: Array<Promise<unknown>> = [writeEntry(k, JSON.stringify(rest), ttl, ...(consumed ? [String(consumed)] : []))];
      if (payload.uid) writes.push(redis.set(keys.uid(model, payload.uid), k, 'EX', ttl));
      if (payload.userCode) writes.push(redis.set(keys.userCode(model, payload.userCode), k, 'EX', ttl));
      if (payload.grantId) writes.push(addToGrant(keys.grant(payload.grantId), k, ttl));
      await Promise.all(writes);
    }),
    find: (model, id) => run(() => read(keys.entry(model, id))),
    findByUid: (model, uid) => run(() => readVia(keys.uid(model, uid))),
    findByUserCode: (model, code) => run(() => readVia(keys.userCode(model, code))),
    consume: (model, id) => run(async () => (await consume(keys.entry(model, id), String(nowSeconds()))) === 1),
    destroy: (model, id) => run(async () => { await redis.del(keys.entry(model, id)); }),
    revokeByGrantId: (model, grantId) => run(async () => {
      const g = keys.grant(grantId);
      const ofModel = (await redis.smembers(g)).filter((k) => keys.isEntryOf(model, k));
      if (ofModel.length === 0) return;
      // One DEL per entry: in a cluster the entries live in other slots than the set.
      await Promise.all([...ofModel.map((k) => redis.del(k)), redis.srem(g, ...ofModel)]);
    }),
    increment: (name, windowSeconds) => run(async () => Number(await increment(keys.counter(name), String(windowSeconds)))),
    reset: (name) => run(async () => { await redis.del(keys.counter(name)); }),
    setIfAbsent: (name, ttlSeconds) => run(async () => (await redis.set(keys.once(name), '1', 'EX', ttlSeconds, 'NX')) === 'OK'),
    close: () => closeRedis(redis),
  };
}
