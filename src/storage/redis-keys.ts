// Where the Redis store keeps what, laid out for Redis Cluster. A cluster hashes only the part
// of a key inside its first `{…}` (the hash tag) to pick one of 16384 slots; a command or
// script whose keys fall in more than one slot fails with CROSSSLOT. So:
// - each key is found from one identifier (entry id, uid, user code, grant id, counter name),
//   and the tag is that identifier: what one lookup needs, one slot holds;
// - every command and script the store sends touches one key, except where the keys share a
//   tag. An entry, its uid or user-code index and its grant's set cannot share one: they are
//   looked up by different identifiers. They are written by separate single-key commands
//   sent together (one round trip), which is safe without a transaction: an upsert that fails
//   in part rejects, so oidc-provider hands out no token whose grant index was not written,
//   and a dangling index entry only points at nothing;
// - a key that must one day be written or read atomically with an entry (say, a lock beside
//   it) must take the entry's tag; test/storage/redis-cluster-slots.test.ts checks that every
//   multi-key command and script the store sends stays in one slot.
// The prefix must hold no brace: its tag would pin every key to one slot.

export type RedisKeys = ReturnType<typeof createRedisKeys>;

export function createRedisKeys(prefix: string) {
  if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix ${JSON.stringify(prefix)} must not contain { or }: it would put every key in one cluster slot`);
  return {
    prefix,
    entry: (model: string, id: string) => `${prefix}${model}:{${id}}`,
    uid: (model: string, uid: string) => `${prefix}${model}:uid:{${uid}}`,
    userCode: (model: string, code: string) => `${prefix}${model}:userCode:{${code}}`,
    grant: (grantId: string) => `${prefix}grant:{${grantId}}`,
    /** Entries of `model` among a grant set's members. */
    isEntryOf: (model: string, key: string) => key.startsWith(`${prefix}${model}:{`),
    counter: (name: string) => `${prefix}counter:{${name}}`,
    once: (name: string) => `${prefix}once:{${name}}`,
  };
}
