// `npm run bench:sizes`: bytes of PostgreSQL per citizen and of Redis per active session,
// measured on 100,000 of each (BENCH_RECORDS), for the capacity model in docs/scale.md.
// - Its own stores (bench/sizes/own-stores.ts): a temporary database on the PostgreSQL server
//   and a redis-server on a free port, both gone at the end; nothing shared is counted or touched.
// - Citizens: rows as an application writes them (services/applications.ts): a fresh cyberspace
//   ID, synthetic identity sealed field by field by the real vault (a data key each), the
//   document blind index, an argon2id hash (one computed, reused: every hash has the same
//   length), the evidence; inserted 1,000 per statement to be fast. Plus a sample of the audit
//   entry each application writes.
// - Sessions: one real password sign-in with consent and offline_access is recorded at the
//   adapter (bench/sizes/recorder.ts) and written again for every synthetic citizen with fresh
//   identifiers of the same lengths — the same records, sizes and TTLs a real sign-in leaves.
//   Records shorter-lived than 10 minutes (interaction, authorization code) are left out of
//   the steady state and listed apart. Plus a sample of the authentication log entries it writes.
// - Measured: pg_total_relation_size per table (heap, indexes, TOAST) and pg_database_size
//   before and after; Redis INFO used_memory before and after, and MEMORY USAGE per record.
// Prints the figures and writes bench/results/sizes.json. Numbers only: never part of `npm test`.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { generateCyberspaceId } from '../src/ids/cyberspace-id.js';
import type { ModelStore } from '../src/storage/model-store.js';
import { realServices } from '../test/support/real-services.js';
import { startTestApp, type TestApp } from '../test/support/test-app.js';
import { createClient } from '../test/support/factories.js';
import { signIn } from '../test/support/flow.js';
import { redeem, refresh } from '../test/support/tokens.js';
import { createTemporaryDatabase, startOwnRedis } from './sizes/own-stores.js';
import { recordWrites, replay, rewrite, type RecordedWrite } from './sizes/recorder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const SAMPLE = Math.min(RECORDS, 10_000);
const BATCH = 1000;
const CONCURRENCY = 16;
const SHORT_LIVED_SECONDS = 600;
const BROWSER_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

async function tableSizes(knex: Knex, schema: string): Promise<Record<string, number>> {
  // Partitions count toward the table they belong to.
  const { rows } = await knex.raw(`
    SELECT coalesce(pg_partition_root(c.oid), c.oid)::regclass::text AS name, sum(pg_total_relation_size(c.oid))::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ? AND c.relkind = 'r' GROUP BY 1`, [schema]) as { rows: Array<{ name: string; bytes: string }> };
  return Object.fromEntries(rows.map((r) => [r.name.replace(/^.*\./, '').replaceAll('"', ''), Number(r.bytes)]));
}
const databaseSize = async (knex: Knex) => Number((await knex.raw('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
async function rowCounts(knex: Knex, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = Number((await knex(t).count({ n: '*' }))[0]!.n);
  return counts;
}
const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

async function inParallel(count: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await work(next++);
  }));
}

/** The model a Redis key belongs to: the first name after the prefix (hash tags stripped). */
const modelOfKey = (key: string, prefix: string) => key.slice(prefix.length).replace(/[{}]/g, '').split(':')[0]!;

async function keysWithUsage(redis: Redis, prefix: string) {
  const keys = await redis.keys(`${prefix}*`);
  return Promise.all(keys.map(async (key) => ({ key, model: modelOfKey(key, prefix), bytes: Number(await redis.memory('USAGE', key)), ttl: await redis.ttl(key) })));
}

/** One real sign-in, recorded: what it writes at the adapter, the rows it adds, the Redis keys it leaves. */
async function templateSignIn(app: TestApp, redis: Redis, stores: Record<'durable' | 'ephemeral', ModelStore>) {
  const knex = app.container.db.knex;
  const client = await createClient(app.container, { name: 'Sizes bench ISP', scope: 'openid offline_access' });
  const { cyberspace_id, password, citizen } = await app.container.citizens.createTestCitizen();
  const tables = Object.keys(await tableSizes(knex, app.schema));
  const rowsBefore = await rowCounts(knex, tables);
  const keysBefore = new Set(await redis.keys(`${app.redisPrefix}*`));
  const recording = recordWrites(stores);
  const flow = await signIn(app.url, client, { cyberspace_id, password }, { params: { scope: 'openid offline_access', prompt: 'consent' } });
  const tokens = await redeem(app.url, client, flow);
  const writes = recording.stop();
  await new Promise((resolve) => setTimeout(resolve, 500)); // detached log writes
  const rows = delta(await rowCounts(knex, tables), rowsBefore);
  const keys = (await keysWithUsage(redis, app.redisPrefix)).filter((k) => !keysBefore.has(k.key));
  const log = await knex('authentication_log').where({ citizen_id: citizen.id }).select('event', 'outcome', 'acr', 'client_id', 'reason_code');
  return { client, citizen, writes, rows, keys, log, refresh: await measureRefresh(app, redis, client, tokens.refresh_token!, new Set(keys.map((k) => k.key))) };
}

/**
 * What one rotation of the refresh token leaves in Redis: the keys it adds (a new refresh and
 * access token) and whether the consumed one stays until its own expiry (for replay detection).
 */
async function measureRefresh(app: TestApp, redis: Redis, client: { client_id: string; client_secret?: string; redirect_uri: string }, refreshToken: string, known: Set<string>) {
  const before = await usedMemory(redis);
  const response = await refresh(app.url, client, refreshToken);
  if (response.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(response.body)}`);
  const grown = (await usedMemory(redis)) - before;
  const after = await keysWithUsage(redis, app.redisPrefix);
  const added = after.filter((k) => !known.has(k.key) && (k.model === 'RefreshToken' || k.model === 'AccessToken'));
  const kept = after.filter((k) => known.has(k.key) && k.model === 'RefreshToken');
  return { usedMemoryBytes: grown, added: added.map(({ model, bytes, ttl }) => ({ model, bytes, ttl })), consumedKept: kept.map(({ bytes, ttl }) => ({ bytes, ttl })) };
}

function syntheticIdentity() {
  const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
  const han = () => String.fromCodePoint(0x4e00 + randomInt(0x5000));
  const year = 1940 + randomInt(70);
  const birthDate = `${year}-${String(1 + randomInt(12)).padStart(2, '0')}-${String(1 + randomInt(28)).padStart(2, '0')}`;
  return { name: han() + han() + (randomInt(2) ? han() : ''), documentType: 'resident_id' as const, documentNumber: `${digits(6)}${birthDate.replaceAll('-', '')}${digits(4)}`, birthDate };
}

/** RECORDS citizens as an application inserts them, 1,000 per statement; their ids. */
async function insertCitizens(app: TestApp, passwordHash: string): Promise<Array<{ id: string; cyberspace_id: string }>> {
  const { vault } = app.container;
  const made: Array<{ id: string; cyberspace_id: string }> = [];
  for (let start = 0; start < RECORDS; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, RECORDS - start) }, () => {
      const id = randomUUID();
      const identity = syntheticIdentity();
      const evidence = { kind: 'document_facts', level: 'low', verifiedAt: new Date().toISOString() };
      const row = {
        id, cyberspace_id: generateCyberspaceId(), password_hash: passwordHash, status: 'active', assurance_level: 'document_verified',
        identity_assurance: evidence.level, identity_evidence: JSON.stringify(evidence),
        document_blind_index: vault.blindIndex(identity.documentType, identity.documentNumber), guardian_id: null, application_token_hash: null,
        ...vault.seal(id, identity),
      };
      made.push({ id, cyberspace_id: row.cyberspace_id });
      return row;
    });
    await app.container.db.knex('citizens').insert(rows);
  }
  return made;
}

export async function benchSizes() {
  const services = await realServices();
  if (!services.databaseUrl) throw new Error('bench:sizes needs PostgreSQL (TEST_DATABASE_URL)');
  const redisServer = await startOwnRedis();
  const database = await createTemporaryDatabase(services.databaseUrl);
  let app: TestApp | undefined;
  // Interrupted, it still drops its database and stops its Redis.
  const cleanUp = async () => { await app?.stop().catch(() => undefined); await database.drop(); await redisServer.stop(); };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    app = await startTestApp({ env: { DATABASE_URL: database.url, REDIS_URL: redisServer.url, LOG_LEVEL: 'warn' } });
    const knex = app.container.db.knex;
    const { redis } = app.container.ephemeral as unknown as { redis: Redis };
    const stores = { durable: app.container.durable, ephemeral: app.container.ephemeral };
    const template = await templateSignIn(app, redis, stores);
    console.log(`one real sign-in wrote: ${template.writes.map((w) => `${w.op} ${w.model}`).join(', ')}`);
    console.log(`  rows added: ${JSON.stringify(template.rows)}`);
    for (const k of template.keys) console.log(`  Redis ${k.model.padEnd(22)} ${String(k.bytes).padStart(6)} B  TTL ${k.ttl} s`);
    console.log(`one refresh (rotation) added ${JSON.stringify(template.refresh.added)}; the consumed refresh token stays: ${JSON.stringify(template.refresh.consumedKept)}`);

    // Citizens.
    const pgBefore = await tableSizes(knex, app.schema);
    const dbBefore = await databaseSize(knex);
    let t0 = Date.now();
    const citizens = await insertCitizens(app, template.citizen.password_hash);
    const citizenSeconds = (Date.now() - t0) / 1000;
    await knex.raw('ANALYZE citizens');
    const pgCitizens = delta(await tableSizes(knex, app.schema), pgBefore);
    const dbCitizens = (await databaseSize(knex)) - dbBefore;
    const auditBefore = await tableSizes(knex, app.schema);
    await inParallel(SAMPLE, (i) => app!.container.audit.record({ type: 'account.applied', citizenId: citizens[i]!.id, actor: 'citizen', details: { status: 'active' } }));
    const pgAudit = delta(await tableSizes(knex, app.schema), auditBefore);

    // Sessions: the long-lived part of the recorded sign-in, again for every citizen.
    const lasting = template.writes.filter((w) => w.op !== 'upsert' || (w.expiresIn ?? Infinity) >= SHORT_LIVED_SECONDS);
    const lastingIds = new Set(lasting.filter((w) => w.op === 'upsert').map((w) => `${w.model}:${w.id}`));
    const steady: RecordedWrite[] = lasting.filter((w) => lastingIds.has(`${w.model}:${w.id}`));
    const from = [template.citizen.id, template.citizen.cyberspace_id];
    const fresh = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
    const redisBefore = await usedMemory(redis);
    const keyCountBefore = await redis.dbsize();
    const sessionsPgBefore = await tableSizes(knex, app.schema);
    t0 = Date.now();
    await inParallel(RECORDS, (i) => replay(stores, rewrite(steady, from, [citizens[i]!.id, citizens[i]!.cyberspace_id], fresh)));
    const sessionSeconds = (Date.now() - t0) / 1000;
    const redisSessions = (await usedMemory(redis)) - redisBefore;
    const keysPerSession = ((await redis.dbsize()) - keyCountBefore) / RECORDS;
    const pgSessions = delta(await tableSizes(knex, app.schema), sessionsPgBefore);
    const byModel = new Map<string, number[]>();
    for (let i = 0; i < 400; i += 1) {
      const key = await redis.randomkey();
      if (!key) break;
      const model = modelOfKey(key, app.redisPrefix);
      byModel.set(model, [...(byModel.get(model) ?? []), Number(await redis.memory('USAGE', key))]);
    }

    // The authentication log a sign-in writes, for a sample of the citizens.
    const logBefore = await tableSizes(knex, app.schema);
    await inParallel(SAMPLE, async (i) => {
      for (const entry of template.log) {
        const browser = entry.event === 'sign_in' || entry.event === 'authorization';
        await app!.container.authenticationLog.record({
          citizenId: citizens[i]!.id, clientId: entry.client_id, event: entry.event, outcome: entry.outcome, acr: entry.acr ?? undefined, reasonCode: entry.reason_code ?? undefined,
          address: `198.51.${randomInt(256)}.${randomInt(256)}`, userAgent: browser ? BROWSER_UA : 'isp-backend/1.0',
        });
      }
    });
    const pgLog = delta(await tableSizes(knex, app.schema), logBefore);

    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    const perRecord = (o: Record<string, number>, n: number) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v / n)]));
    const result = {
      machine: { cpus: os.cpus().length, node: process.version, postgres: (await knex.raw('SHOW server_version')).rows[0].server_version as string, redis: /redis_version:(\S+)/.exec(await redis.info('server'))![1], date: new Date().toISOString() },
      records: RECORDS,
      sample: SAMPLE,
      templateSignIn: { writes: template.writes.map((w) => ({ store: w.store, op: w.op, model: w.model, ...(w.op === 'upsert' ? { expiresIn: w.expiresIn } : {}) })), rowsAdded: template.rows, redisKeys: template.keys.map(({ model, bytes, ttl }) => ({ model, bytes, ttl })), authenticationLogEntries: template.log.length, refresh: template.refresh },
      postgresPerCitizen: { bytes: Math.round(sum(pgCitizens) / RECORDS), databaseDeltaBytes: Math.round(dbCitizens / RECORDS), byTable: perRecord(pgCitizens, RECORDS), insertSeconds: citizenSeconds },
      postgresPerApplicationAuditEntry: { bytes: Math.round(sum(pgAudit) / SAMPLE), byTable: perRecord(pgAudit, SAMPLE) },
      redisPerSession: { bytes: Math.round(redisSessions / RECORDS), keys: keysPerSession, memoryUsageSample: Object.fromEntries([...byModel].map(([m, v]) => [m, { keys: v.length, meanBytes: Math.round(v.reduce((a, b) => a + b, 0) / v.length) }])), writeSeconds: sessionSeconds },
      postgresPerSignIn: { grantBytes: Math.round(sum(pgSessions) / RECORDS), byTable: perRecord(pgSessions, RECORDS), authenticationLogBytes: Math.round(sum(pgLog) / SAMPLE), authenticationLogByTable: perRecord(pgLog, SAMPLE), authenticationLogEntries: template.log.length },
    };
    console.log(`\n${RECORDS.toLocaleString('en-US')} citizens in ${citizenSeconds.toFixed(0)} s: ${result.postgresPerCitizen.bytes} B of PostgreSQL each (tables ${JSON.stringify(result.postgresPerCitizen.byTable)}; database grew ${result.postgresPerCitizen.databaseDeltaBytes} B each)`);
    console.log(`  + ${result.postgresPerApplicationAuditEntry.bytes} B for the audit entry of the application (${SAMPLE.toLocaleString('en-US')} sampled)`);
    console.log(`${RECORDS.toLocaleString('en-US')} sessions in ${sessionSeconds.toFixed(0)} s: ${result.redisPerSession.bytes} B of Redis each (used_memory), ${keysPerSession.toFixed(1)} keys each; MEMORY USAGE by record: ${JSON.stringify(result.redisPerSession.memoryUsageSample)}`);
    console.log(`  PostgreSQL per sign-in: ${result.postgresPerSignIn.grantBytes} B for the grant, ${result.postgresPerSignIn.authenticationLogBytes} B for its ${template.log.length} authentication log entries (${SAMPLE.toLocaleString('en-US')} sampled)`);
    mkdirSync(path.join(here, 'results'), { recursive: true });
    writeFileSync(path.join(here, 'results/sizes.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanUp();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await benchSizes();
  process.exit(0);
}
