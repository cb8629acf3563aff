// Redis ephemeral store (key layout: redis-keys.ts). Every
// key carries a TTL. An entry is a hash {payload, consumed} so that consume is one atomic
// HSETNX (two racing redemptions of one code: exactly one wins). Secondary indexes (uid,
// userCode) are plain keys with the entry's TTL; a grant's entries are a set whose TTL is
// stretched to the longest-lived member.
// Round trips (docs/performance.md): an upsert is one script for the entry plus one command per
// index it has, all sent at once; a token under a grant is 2 commands, not a MULTI of 6.
import { createHash } from 'node:crypto';
import { nowSeconds, type EphemeralStore, type Payload } from './model-store.js';
import { Redis } from 'ioredis';
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

const COMMAND_TIMEOUT_MS = 1000;

const MAX_TTL = 60 * 60 * 24 * 400; // nothing in Redis lives forever

/** A one-key script sent by its SHA (EVALSHA), loaded on the node that lacks it (NOSCRIPT). */
function script(redis: Redis, lua: string) {
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

export type RedisStoreOptions = { url: string; prefix?: string };

export function createRedisStore(options: RedisStoreOptions): EphemeralStore & { redis: Redis; prefix: string } {
  const keys = createRedisKeys(options.prefix ?? 'cyberid:');
  // Fail fast (issue 9): a command that gets no answer within COMMAND_TIMEOUT_MS fails, queued
  // ones included, so a killed or hung (SIGSTOPped) Redis costs a request about a second and a
  // 503, never a 15 s wait; reconnection goes on in the background and service resumes alone.
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    enableAutoPipelining: true,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Without a listener ioredis prints every reconnection failure; the requests report them.
  redis.on('error', () => {});
  const writeEntry = script(redis, WRITE_ENTRY);
  const addToGrant = script(redis, ADD_TO_GRANT);
  const consume = script(redis, CONSUME);
  const increment = script(redis, INCREMENT);

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
    async upsert(model, id, payload, expiresIn) {
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
    },
    find: (model, id) => read(keys.entry(model, id)),
    findByUid: (model, uid) => readVia(keys.uid(model, uid)),
    findByUserCode: (model, code) => readVia(keys.userCode(model, code)),
    async consume(model, id) {
      return (await consume(keys.entry(model, id), String(nowSeconds()))) === 1;
    },
    async destroy(model, id) {
      await redis.del(keys.entry(model, id));
    },
    async revokeByGrantId(model, grantId) {
      const g = keys.grant(grantId);
      const ofModel = (await redis.smembers(g)).filter((k) => keys.isEntryOf(model, k));
      if (ofModel.length === 0) return;
      // One DEL per entry: in a cluster the entries live in other slots than the set.
      await Promise.all([...ofModel.map((k) => redis.del(k)), redis.srem(g, ...ofModel)]);
    },
    async increment(name, windowSeconds) {
      return Number(await increment(keys.counter(name), String(windowSeconds)));
    },
    async reset(name) {
      await redis.del(keys.counter(name));
    },
    async setIfAbsent(name, ttlSeconds) {
      return (await redis.set(keys.once(name), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    async close() {
      // quit() waits for an answer a dead Redis never gives.
      await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS))]).catch(() => {});
      redis.disconnect();
    },
  };
}
