// The Redis key layout (src/storage/redis-keys.ts) holds on a cluster: every command and script
// the store sends names keys in one hash slot (CLUSTER KEYSLOT), every MULTI block too, so a key
// added later without the right tag fails here by name, not as a CROSSSLOT in production.
// Also the round trips the layout buys: an upsert sends one command per key it writes.
import assert from 'node:assert/strict';
import type { Cluster, Command } from 'ioredis';
import { ownRedisCluster } from '../support/redis-cluster.js';
import { redisStore } from '../support/stores.js';
import { createRedisKeys } from '../../src/storage/redis-keys.js';

type Sent = { name: string; keys: string[] };

/** Records what the store sends, MULTI…EXEC blocks as one entry. */
function record(redis: Cluster) {
  const sent: Sent[] = [];
  let block: Sent | undefined;
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: Command, ...rest: unknown[]) => {
    const keys = command.getKeys().map(String);
    if (command.name === 'multi') block = { name: 'multi', keys: [] };
    else if (command.name === 'exec' && block) { sent.push(block); block = undefined; }
    else if (block) block.keys.push(...keys);
    else sent.push({ name: command.name, keys });
    return (original as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof redis.sendCommand;
  return { sent, clear: () => sent.splice(0) };
}

describe('Redis key layout on a cluster', () => {
  let store: ReturnType<typeof redisStore>;
  let redis: Cluster;
  let recorder: ReturnType<typeof record>;
  before(async () => {
    store = redisStore({ clusterNodes: (await ownRedisCluster()).nodes });
    redis = store.redis as Cluster;
    recorder = record(redis);
  });
  after(async () => store?.drop());

  /** Every operation of the store, each index and grant path included. */
  async function everyOperation() {
    await store.upsert('Session', 's1', { uid: 'u1', accountId: 'A' }, 60);
    await store.upsert('DeviceCode', 'd1', { userCode: 'ABCD-EFGH', grantId: 'G' }, 60);
    await store.upsert('AccessToken', 'a1', { grantId: 'G' }, 60);
    await store.upsert('RefreshToken', 'r1', { grantId: 'G', consumed: 1 }, 60);
    await store.find('AccessToken', 'a1');
    await store.findByUid('Session', 'u1');
    await store.findByUserCode('DeviceCode', 'ABCD-EFGH');
    await store.consume('RefreshToken', 'r1');
    await store.revokeByGrantId('AccessToken', 'G');
    await store.destroy('Session', 's1');
    await store.increment('signin:x', 60);
    await store.reset('signin:x');
    await store.setIfAbsent('jti:x', 60);
  }

  it('sends no command or MULTI whose keys span slots', async () => {
    recorder.clear();
    await everyOperation();
    assert.ok(recorder.sent.length > 10, `recorded ${recorder.sent.length} commands`);
    const spanning: string[] = [];
    for (const { name, keys } of recorder.sent) {
      const slots = new Set(await Promise.all(keys.map((key) => redis.cluster('KEYSLOT', key))));
      if (slots.size > 1) spanning.push(`${name} ${keys.join(' ')} → slots ${[...slots].join(', ')}`);
    }
    assert.deepEqual(spanning, []);
  });

  it('tags each key with its one identifier: entries of different ids spread over slots, one entry\'s model keys apart from its id', async () => {
    const keys = createRedisKeys(store.prefix);
    const slotOf = (key: string) => redis.cluster('KEYSLOT', key) as Promise<number>;
    const slots = new Set(await Promise.all(Array.from({ length: 20 }, (_, i) => slotOf(keys.entry('AccessToken', `id-${i}`)))));
    assert.ok(slots.size > 10, `20 entries fall in ${slots.size} slots: the prefix must not pin them`);
    assert.equal(await slotOf(keys.entry('AccessToken', 'x')), await redis.cluster('KEYSLOT', 'x'), 'the tag is the id');
    assert.equal(await slotOf(keys.grant('G')), await redis.cluster('KEYSLOT', 'G'), 'the grant set\'s tag is the grant id');
    assert.throws(() => createRedisKeys('app{1}:'), /must not contain/);
  });

  it('writes an entry in one command, plus one per index: a token under a grant is 2, not a MULTI of 6', async () => {
    // Run twice, counting the second: the first may also load the script on its node (NOSCRIPT, then EVAL).
    const counted = async (work: () => Promise<unknown>) => { await work(); recorder.clear(); await work(); return recorder.sent.map((s) => s.name); };
    assert.deepEqual(await counted(() => store.upsert('Interaction', 'i1', {}, 60)), ['evalsha']);
    assert.deepEqual(await counted(() => store.upsert('AccessToken', 'a2', { grantId: 'G2' }, 60)), ['evalsha', 'evalsha']);
    assert.deepEqual((await counted(() => store.upsert('Session', 's2', { uid: 'u2' }, 60))).sort(), ['evalsha', 'set']);
  });
});
