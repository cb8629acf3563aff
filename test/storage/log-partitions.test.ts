// The audit and authentication logs are partitioned by month (issue 9; migration
// 20261203090000_partitioned_logs.ts), on PostgreSQL and on the embedded PGlite alike: entries
// land in their month across a boundary, the months ahead are created before they are needed,
// retention drops whole months and never one that may hold an entry younger than the legal
// minimum, every partition keeps the append-only rules, and migrating a database keeps its rows.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, uniqueName, type TestDatabase } from '../support/stores.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrations } from '../../migrations/index.js';
import { createAuditLogQueries, type AuditLogRow } from '../../src/queries/audit-log.js';
import { createAuthenticationLogQueries } from '../../src/queries/authentication-log.js';
import { createLogPartitionQueries } from '../../src/queries/log-partitions.js';
import { createAuditService } from '../../src/services/audit.js';
import { entryHash, entryHashParts } from '../../src/services/audit-chain.js';
import { createLogPartitions, MONTHS_AHEAD } from '../../src/services/log-partitions.js';
import { runCommand } from '../../src/cli/registry.js';
import type { Container } from '../../src/container.js';

const DAY_MS = 86_400_000;
const MIGRATION = '20261203090000_partitioned_logs';

type Subject = { name: string; databaseUrl(): Promise<string | undefined> };
const subjects: Subject[] = [
  { name: 'PostgreSQL', databaseUrl: async () => (await realServices()).databaseUrl },
  { name: 'PGlite', databaseUrl: async () => undefined },
];

const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const addMonths = (at: Date, months: number) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()));
const monthName = (table: string, at: Date) => `${table}_${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

async function partitionOf(knex: Knex, table: string, where: Record<string, unknown>): Promise<string> {
  return String((await knex(table).where(where).first(knex.raw('tableoid::regclass::text AS part'))).part);
}
async function partitionsOf(knex: Knex, table: string): Promise<string[]> {
  const result = await knex.raw('SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = ?::regclass ORDER BY 1', [table]);
  return (result.rows as Array<{ name: string }>).map((r) => r.name);
}

/** The next entry of `chain`, hashed as the service would, at `at`. */
async function nextEntry(knex: Knex, chain: number, at: Date, type = 'sign_in.succeeded'): Promise<AuditLogRow> {
  const head = await knex('audit_chain_heads').where({ chain }).first();
  const fields = { chain, seq: Number(head.seq) + 1, prev_hash: String(head.hash), occurred_at: at, type, citizen_id: randomUUID(), client_id: 'isp-demo', actor: 'citizen' as const, details: {} };
  return { ...fields, hash: entryHash(fields) };
}

/** Appends `entry` the way the audit service does; the database's seq, link and hash must be entry's. */
async function append(queries: ReturnType<typeof createAuditLogQueries>, entry: AuditLogRow): Promise<void> {
  const { seq: _seq, prev_hash: _prev, hash: _hash, ...rest } = entry;
  const written = await queries.appendAuditEntry(rest, entryHashParts(rest));
  assert.deepEqual([written.seq, written.prev_hash, written.hash], [entry.seq, entry.prev_hash, entry.hash]);
}

for (const subject of subjects) {
  describe(`log partitions on ${subject.name}`, () => {
    let db: TestDatabase;
    before(async function () {
      this.timeout(120_000); // every migration on PGlite, on a busy machine
      const url = await subject.databaseUrl();
      db = url ? await postgresDatabase(url) : await pgliteDatabase();
    });
    after(async () => db?.drop());
    const knex = () => db.knex;

    it('partitions both logs by range of occurred_at, with a default and this month through three ahead', async () => {
      const result = await knex().raw(`SELECT c.relname, p.partstrat, a.attname, p.partdefid::regclass::text AS def
        FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
        JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
        WHERE p.partrelid IN ('audit_log'::regclass, 'authentication_log'::regclass) ORDER BY 1`);
      assert.deepEqual(result.rows, [
        { relname: 'audit_log', partstrat: 'r', attname: 'occurred_at', def: 'audit_log_default' },
        { relname: 'authentication_log', partstrat: 'r', attname: 'occurred_at', def: 'authentication_log_default' },
      ]);
      for (const table of ['audit_log', 'authentication_log']) {
        const parts = await partitionsOf(knex(), table);
        for (let ahead = 0; ahead <= MONTHS_AHEAD; ahead += 1) assert.ok(parts.includes(monthName(table, addMonths(monthStart(new Date()), ahead))), parts.join());
      }
    });

    it('creates the months ahead at a fixed clock, and entries on either side of a month boundary land in their months', async () => {
      const partitions = createLogPartitions({ queries: createLogPartitionQueries(knex()), now: () => new Date('2031-01-31T23:59:00Z') });
      const created = await partitions.createAhead();
      for (const month of ['2031_01', '2031_02', '2031_03', '2031_04']) {
        assert.ok(created.includes(`audit_log_${month}`) && created.includes(`authentication_log_${month}`), created.join());
      }
      assert.deepEqual(await partitions.createAhead(), [], 'creating again is a no-op');

      const lastMoment = new Date('2031-01-31T23:59:59.999Z');
      const firstMoment = new Date('2031-02-01T00:00:00.000Z');
      const auth = createAuthenticationLogQueries(knex());
      const [before, after] = [randomUUID(), randomUUID()];
      await auth.insertEntry({ id: before, citizen_id: randomUUID(), occurred_at: lastMoment, client_id: null, event: 'sign_in', outcome: 'succeeded', reason_code: null, acr: null, address_ciphertext: null, user_agent_ciphertext: null });
      await auth.insertEntry({ id: after, citizen_id: randomUUID(), occurred_at: firstMoment, client_id: null, event: 'sign_in', outcome: 'succeeded', reason_code: null, acr: null, address_ciphertext: null, user_agent_ciphertext: null });
      assert.equal(await partitionOf(knex(), 'authentication_log', { id: before }), 'authentication_log_2031_01');
      assert.equal(await partitionOf(knex(), 'authentication_log', { id: after }), 'authentication_log_2031_02');

      const audit = createAuditLogQueries(knex());
      const a = await nextEntry(knex(), 3, lastMoment);
      await append(audit, a);
      const b = await nextEntry(knex(), 3, firstMoment);
      await append(audit, b);
      assert.equal(await partitionOf(knex(), 'audit_log', { chain: 3, seq: a.seq }), 'audit_log_2031_01');
      assert.equal(await partitionOf(knex(), 'audit_log', { chain: 3, seq: b.seq }), 'audit_log_2031_02');
      assert.deepEqual((await partitions.describe()).defaultRows, { audit_log: 0, authentication_log: 0 });
      assert.equal((await createAuditService({ queries: audit }).verify()).ok, true);
    });

    it('an entry for a month nobody created goes to the default partition instead of failing, and `cyberid partitions` says so', async () => {
      const partitions = createLogPartitions({ queries: createLogPartitionQueries(knex()), now: () => new Date('2040-05-10T00:00:00Z') });
      const auth = createAuthenticationLogQueries(knex());
      const id = randomUUID();
      await auth.insertEntry({ id, citizen_id: randomUUID(), occurred_at: new Date('2040-05-09T12:00:00Z'), client_id: null, event: 'refresh', outcome: 'succeeded', reason_code: null, acr: null, address_ciphertext: null, user_agent_ciphertext: null });
      assert.equal(await partitionOf(knex(), 'authentication_log', { id }), 'authentication_log_default');
      // That month stays in the default (its rows are there); the later ones are created.
      const created = await partitions.createAhead();
      assert.ok(!created.includes('authentication_log_2040_05') && created.includes('authentication_log_2040_06') && created.includes('audit_log_2040_05'), created.join());
      const printed = await runCommand({ logPartitions: partitions } as unknown as Container, ['partitions']);
      assert.equal(printed.exitCode ?? 0, 0, printed.output);
      assert.match(printed.output, /authentication_log_2040_06 {2}2040-06/);
      assert.match(printed.output, /warning: authentication_log_default holds 1 entry/);
      const json = JSON.parse((await runCommand({ logPartitions: partitions } as unknown as Container, ['partitions', '--json'])).output) as { default_rows: Record<string, number>; partitions: Array<{ partition: string }> };
      assert.deepEqual(json.default_rows, { audit_log: 0, authentication_log: 1 });
      assert.ok(json.partitions.some((p) => p.partition === 'audit_log_2040_08'));
    });

    it('retention drops whole months past the cutoff, not rows one by one, and keeps a month holding a younger entry', async () => {
      const queries = createLogPartitionQueries(knex());
      const auth = createAuthenticationLogQueries(knex());
      const cutoff = new Date(Date.now() - 183 * DAY_MS);
      const straddling = monthStart(cutoff);
      await queries.createMonths(addMonths(straddling, -2), 2);
      const entry = async (at: Date) => {
        const id = randomUUID();
        await auth.insertEntry({ id, citizen_id: randomUUID(), occurred_at: at, client_id: null, event: 'sign_in', outcome: 'succeeded', reason_code: null, acr: null, address_ciphertext: null, user_agent_ciphertext: null });
        return id;
      };
      const expired = await entry(new Date(addMonths(straddling, -1).getTime() + DAY_MS));
      const olderInKeptMonth = await entry(straddling);
      const younger = await entry(new Date(cutoff.getTime() + 60_000));
      const expiredMonth = await partitionOf(knex(), 'authentication_log', { id: expired });
      assert.equal(expiredMonth, monthName('authentication_log', addMonths(straddling, -1)));

      // Any row delete now fails: whatever retention removes, it removes as whole partitions.
      await knex().raw(`CREATE FUNCTION test_no_row_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'row deleted'; END $$`);
      await knex().raw('CREATE TRIGGER test_no_row_delete BEFORE DELETE ON authentication_log FOR EACH ROW EXECUTE FUNCTION test_no_row_delete()');
      try {
        const pruned = await auth.deleteOlderThan(cutoff);
        assert.ok(pruned.partitions.includes(expiredMonth), pruned.partitions.join());
        assert.ok(!pruned.partitions.includes(monthName('authentication_log', straddling)));
        assert.equal(pruned.entries, 0);
      } finally {
        await knex().raw('DROP TRIGGER test_no_row_delete ON authentication_log');
        await knex().raw('DROP FUNCTION test_no_row_delete()');
      }
      assert.equal((await knex().raw('SELECT to_regclass(?) AS t', [expiredMonth])).rows[0].t, null, 'detached and dropped');
      assert.ok(!(await partitionsOf(knex(), 'authentication_log')).includes(expiredMonth));
      const left = await knex()('authentication_log').whereIn('id', [expired, olderInKeptMonth, younger]).pluck('id');
      assert.deepEqual(left.sort(), [olderInKeptMonth, younger].sort(), 'the month that holds a younger entry stays whole');
    });

    it('never drops a month that may hold an entry younger than 183 days, whatever cutoff it is asked for', async () => {
      const auth = createAuthenticationLogQueries(knex());
      const before = await partitionsOf(knex(), 'authentication_log');
      const pruned = await auth.deleteOlderThan(new Date(Date.now() + 400 * DAY_MS));
      const legalMinimum = Date.now() - 183 * DAY_MS;
      const parts = await createLogPartitionQueries(knex()).listPartitions();
      for (const name of pruned.partitions) assert.ok(before.includes(name));
      for (const p of parts.filter((p) => p.table === 'authentication_log' && p.to)) assert.ok(p.to!.getTime() > legalMinimum, p.partition);
      assert.ok(parts.some((p) => p.partition === monthName('authentication_log', new Date())), 'this month is still there');
    });

    it('lets a service role that owns no table create months and drop expired ones through the functions, and no more', async function () {
      if (!db.schema) this.skip(); // roles are PostgreSQL's; PGlite has one user
      const role = uniqueName('service');
      await knex().raw('CREATE ROLE ?? NOLOGIN', [role]);
      try {
        await knex().raw('GRANT USAGE ON SCHEMA ?? TO ??', [db.schema, role]);
        await knex().raw('GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA ?? TO ??', [db.schema, role]);
        await knex().transaction(async (trx) => {
          await trx.raw('SET LOCAL ROLE ??', [role]);
          assert.deepEqual(await createLogPartitionQueries(trx).createMonths(new Date('2035-03-15T00:00:00Z'), 0), ['audit_log_2035_03', 'authentication_log_2035_03']);
          await assert.rejects(trx.transaction((inner) => inner.raw('DROP TABLE authentication_log_2035_03')), /must be owner/);
          await assert.rejects(trx.transaction((inner) => inner.raw('ALTER TABLE audit_log DETACH PARTITION audit_log_2035_03')), /must be owner/);
          await assert.rejects(trx.transaction((inner) => inner.raw('TRUNCATE authentication_log_2035_03')), /permission denied|append-only/);
          assert.deepEqual((await createAuthenticationLogQueries(trx).deleteOlderThan(new Date())).partitions.filter((p) => p.includes('2035')), []);
        });
      } finally {
        await knex().raw('DROP OWNED BY ??', [role]);
        await knex().raw('DROP ROLE ??', [role]);
      }
    });

    it('keeps every append-only rule on each partition, truncating one on its own included', async () => {
      const month = monthName('audit_log', new Date());
      const audit = createAuditService({ queries: createAuditLogQueries(knex()) });
      await audit.record({ type: 'sign_in.failed', citizenId: randomUUID(), actor: 'citizen', details: { reason_code: 'invalid_credentials' } });
      await assert.rejects(knex().raw(`UPDATE ${month} SET type = 'x'`), /append-only/);
      await assert.rejects(knex().raw(`TRUNCATE ${month}`), /append-only/);
      await assert.rejects(knex().raw('TRUNCATE audit_log_default'), /append-only/);
      await assert.rejects(knex().raw(`DELETE FROM ${month}`), /append-only/);
      const authMonth = monthName('authentication_log', new Date());
      await createAuthenticationLogQueries(knex()).insertEntry({ id: randomUUID(), citizen_id: randomUUID(), client_id: null, event: 'sign_in', outcome: 'failed', reason_code: null, acr: null, address_ciphertext: null, user_agent_ciphertext: null });
      await assert.rejects(knex().raw(`DELETE FROM ${authMonth}`), /append-only within the 183-day legal minimum/);
      await assert.rejects(knex().raw(`TRUNCATE ${authMonth}`), /append-only/);
      await assert.rejects(knex().raw('TRUNCATE authentication_log_default'), /append-only/);
    });

    it('keeps (chain, seq) unique without it being the key: only the chain\'s next entry goes in', async () => {
      const queries = createAuditLogQueries(knex());
      const at = new Date();
      const entry = await nextEntry(knex(), 5, at);
      await append(queries, entry);
      const head = await knex()('audit_chain_heads').where({ chain: 5 }).first();
      assert.equal(Number(head.seq), entry.seq);
      // The same seq at another time would satisfy the primary key (chain, seq, occurred_at).
      const again = { ...entry, occurred_at: new Date(at.getTime() + 1) };
      const insert = (row: AuditLogRow) => knex()('audit_log').insert({ ...row, details: JSON.stringify(row.details) });
      await assert.rejects(insert({ ...again, hash: entryHash(again) }), /not the next entry of its chain/);
      const skip = { ...(await nextEntry(knex(), 5, at)), seq: entry.seq + 2 };
      await assert.rejects(insert({ ...skip, hash: entryHash(skip) }), /not the next entry of its chain/);
      const unlinked = { ...(await nextEntry(knex(), 5, at)), prev_hash: '1'.repeat(64) };
      await assert.rejects(insert({ ...unlinked, hash: entryHash(unlinked) }), /not the next entry of its chain/);
      assert.equal(Number((await knex()('audit_chain_heads').where({ chain: 5 }).first()).seq), entry.seq);
      assert.equal((await createAuditService({ queries }).verify()).ok, true);
    });
  });

  describe(`migrating to partitioned logs on ${subject.name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    before(async () => {
      const url = await subject.databaseUrl();
      if (url) {
        const schema = uniqueName('t');
        db = await openDatabase({ databaseUrl: url, dataDir: tmpdir(), schema });
        cleanup = async () => { await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]); await db.close(); };
      } else {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-pglite-'));
        db = await openDatabase({ databaseUrl: undefined, dataDir });
        cleanup = async () => { await db.close(); rmSync(dataDir, { recursive: true, force: true }); };
      }
    });
    after(async () => cleanup?.());

    const through = (last: string): Knex.MigratorConfig => {
      const list = migrations.slice(0, migrations.findIndex(([name]) => name === last) + 1);
      return {
        migrationSource: {
          getMigrations: async () => list.map(([name]) => name),
          getMigrationName: (name: string) => name,
          getMigration: async (name: string) => list.find(([candidate]) => candidate === name)![1],
        },
      };
    };
    const previous = migrations[migrations.findIndex(([name]) => name === MIGRATION) - 1]![0];
    const kinds = async () => (await db.knex.raw(`SELECT relname, relkind FROM pg_class WHERE oid IN ('audit_log'::regclass, 'authentication_log'::regclass) ORDER BY 1`)).rows as Array<{ relname: string; relkind: string }>;
    const snapshot = async () => ({
      audit: await db.knex('audit_log').orderBy(['chain', 'seq']).select('chain', 'seq', 'hash'),
      auth: await db.knex('authentication_log').orderBy('id').select('id', 'occurred_at'),
    });

    it('keeps every entry, the chains verifiable, and the same rules; down gives back plain tables with the same rows', async function () {
      this.timeout(180_000); // every migration, twice over for this one, on PGlite
      await db.knex.migrate.latest(through(previous));
      // Entries written the way the service wrote them before: entry and head in one statement.
      const oldAppend = async (chain: number, at: Date) => {
        const row = await nextEntry(db.knex, chain, at);
        await db.knex.raw(`WITH entry AS (INSERT INTO audit_log (chain, seq, occurred_at, type, citizen_id, client_id, actor, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?) RETURNING chain, seq, hash)
          UPDATE audit_chain_heads SET seq = entry.seq, hash = entry.hash FROM entry WHERE audit_chain_heads.chain = entry.chain`,
        [row.chain, row.seq, row.occurred_at.toISOString(), row.type, row.citizen_id, row.client_id, row.actor, '{}', row.prev_hash, row.hash]);
      };
      for (const days of [400, 40, 0]) {
        await oldAppend(1, new Date(Date.now() - days * DAY_MS));
        await oldAppend(2, new Date(Date.now() - days * DAY_MS));
        await db.knex('authentication_log').insert({ id: randomUUID(), citizen_id: randomUUID(), occurred_at: new Date(Date.now() - days * DAY_MS), event: 'sign_in', outcome: 'succeeded' });
      }
      const before = await snapshot();
      assert.equal(before.audit.length, 6);

      await db.knex.migrate.latest(through(MIGRATION));
      assert.deepEqual(await kinds(), [{ relname: 'audit_log', relkind: 'p' }, { relname: 'authentication_log', relkind: 'p' }]);
      assert.deepEqual(await snapshot(), before);
      const oldest = await db.knex('authentication_log').orderBy('occurred_at').first('id');
      assert.equal(await partitionOf(db.knex, 'authentication_log', { id: oldest.id }), monthName('authentication_log', new Date(Date.now() - 400 * DAY_MS)), 'old rows get their own month');
      assert.equal(await partitionOf(db.knex, 'audit_log', { chain: 1, seq: 1 }), monthName('audit_log', new Date(Date.now() - 400 * DAY_MS)));
      const audit = createAuditService({ queries: createAuditLogQueries(db.knex) });
      assert.deepEqual(await audit.verify(), { ok: true, entries: 6 });
      await audit.record({ type: 'sign_in.failed', citizenId: randomUUID(), actor: 'citizen', details: { reason_code: 'invalid_credentials' } });
      assert.deepEqual(await audit.verify(), { ok: true, entries: 7 });
      await assert.rejects(db.knex.raw('DELETE FROM audit_log'), /append-only/);
      await assert.rejects(db.knex.raw('DELETE FROM authentication_log'), /append-only within the 183-day legal minimum/);
      const migrated = await snapshot();

      await db.knex.migrate.down({ ...through(MIGRATION), name: MIGRATION });
      assert.deepEqual(await kinds(), [{ relname: 'audit_log', relkind: 'r' }, { relname: 'authentication_log', relkind: 'r' }]);
      assert.deepEqual(await snapshot(), migrated);
      assert.deepEqual(await audit.verify(), { ok: true, entries: 7 });
      await assert.rejects(db.knex.raw('TRUNCATE audit_log'), /append-only/);
      await assert.rejects(db.knex.raw('DELETE FROM authentication_log'), /append-only within the 183-day legal minimum/);

      await db.knex.migrate.latest(through(MIGRATION));
      assert.deepEqual(await snapshot(), migrated);
      assert.deepEqual(await audit.verify(), { ok: true, entries: 7 });
    });
  });
}
