// Redis ephemeral store. Every key carries a TTL. An entry is a hash {payload, consumed} so that
// consume is one atomic HSETNX (two racing redemptions of one code: exactly one wins).
// Secondary indexes (uid, userCode) are plain keys with the entry's TTL; a grant's entries are a
// set whose TTL is stretched to the longest-lived member.
import { Redis } from 'ioredis';
import { nowSeconds, type EphemeralStore, type Payload } from './model-store.js';

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

export type RedisStoreOptions = { url: string; prefix?: string };

export function createRedisStore(options: RedisStoreOptions): EphemeralStore & { redis: Redis; prefix: string } {
  const prefix = options.prefix ?? 'cyberid:';
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
  const entryKey = (model: string, id: string) => `${prefix}${model}:${id}`;
  const uidKey = (model: string, uid: string) => `${prefix}${model}:uid:${uid}`;
  const userCodeKey = (model: string, code: string) => `${prefix}${model}:userCode:${code}`;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;

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
    prefix,
    async upsert(model, id, payload, expiresIn) {
      const ttl = Math.min(expiresIn && expiresIn > 0 ? expiresIn : MAX_TTL, MAX_TTL);
      const k = entryKey(model, id);
      const { consumed, ...rest } = payload;
      const multi = redis.multi().del(k).hset(k, 'payload', JSON.stringify(rest));
      if (consumed) multi.hset(k, 'consumed', String(consumed));
      multi.expire(k, ttl);
      if (payload.uid) multi.set(uidKey(model, payload.uid), k, 'EX', ttl);
      if (payload.userCode) multi.set(userCodeKey(model, payload.userCode), k, 'EX', ttl);
      if (payload.grantId) {
        const g = grantKey(payload.grantId);
        multi.sadd(g, k).expire(g, ttl, 'GT').expire(g, ttl, 'NX');
      }
      await multi.exec();
    },
    find: (model, id) => read(entryKey(model, id)),
    findByUid: (model, uid) => readVia(uidKey(model, uid)),
    findByUserCode: (model, code) => readVia(userCodeKey(model, code)),
    async consume(model, id) {
      const result = await redis.eval(CONSUME, 1, entryKey(model, id), String(nowSeconds()));
      return result === 1;
    },
    async destroy(model, id) {
      await redis.del(entryKey(model, id));
    },
    async revokeByGrantId(model, grantId) {
      const g = grantKey(grantId);
      const members = await redis.smembers(g);
      const ofModel = members.filter((k) => k.startsWith(`${prefix}${model}:`));
      if (ofModel.length === 0) return;
      await redis.multi().del(...ofModel).srem(g, ...ofModel).exec();
    },
    async increment(key, windowSeconds) {
      return Number(await redis.eval(INCREMENT, 1, `${prefix}counter:${key}`, String(windowSeconds)));
    },
    async reset(key) {
      await redis.del(`${prefix}counter:${key}`);
    },
    async setIfAbsent(key, ttlSeconds) {
      return (await redis.set(`${prefix}once:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    async close() {
      // quit() waits for an answer a dead Redis never gives.
      await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS))]).catch(() => {});
      redis.disconnect();
    },
  };
}
