// The audit log (DESIGN.md "Privacy by construction", "Throughput by design"): append-only in
// the database itself, hash-chained over several chains, verified by `cyberid audit verify`
// even against someone who disables the triggers; no plaintext identity data; a citizen's
// activity listed newest first.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';
import { createAuditLogQueries } from '../../src/queries/audit-log.js';
import { createCitizenQueries } from '../../src/queries/citizens.js';
import { AuditEventError, createAuditService, type AuditEvent, type AuditService } from '../../src/services/audit.js';
import { chainFor, entryHash, GENESIS_HASH } from '../../src/services/audit-chain.js';
import { generateCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { runCommand } from '../../src/cli/registry.js';
import type { Container } from '../../src/container.js';

describe('audit entry hash (known answer)', () => {
  it('is SHA-256 over sorted-key JSON of the entry, as documented for auditors', () => {
    // Canonical form: {"actor":"citizen","chain":7,"citizen_id":"5f0c6a52-3c1e-4b8e-9a57-2d7c0e4b9f11",
    // "client_id":"isp-demo","details":{"acr":"urn:cyberspace-id:acr:password","count":1,"scopes":["openid"]},
    // "occurred_at":"2026-11-22T03:00:00.000Z","prev_hash":"000…000","seq":1,"type":"sign_in.succeeded"}
    const hash = entryHash({
      chain: 7,
      seq: 1,
      prev_hash: GENESIS_HASH,
      occurred_at: new Date('2026-11-22T03:00:00.000Z'),
      type: 'sign_in.succeeded',
      citizen_id: '5f0c6a52-3c1e-4b8e-9a57-2d7c0e4b9f11',
      client_id: 'isp-demo',
      actor: 'citizen',
      details: { scopes: ['openid'], count: 1, acr: 'urn:cyberspace-id:acr:password' },
    });
    assert.equal(hash, 'd7809bb0007a820a31a39270b46a96a6e748d689d4ff0e3e68ad7567fa0235bb');
  });

  it('keeps a citizen\'s events in one chain', () => {
    const citizenId = randomUUID();
    const chain = chainFor({ citizenId, clientId: null, actor: 'citizen' });
    assert.equal(chainFor({ citizenId, clientId: 'some-isp', actor: 'operator' }), chain);
  });
});

type Subject = { name: string; open(): Promise<TestDatabase> };

const subjects: Subject[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const { databaseUrl } = await realServices();
      return databaseUrl ? postgresDatabase(databaseUrl) : pgliteDatabase();
    },
  },
  { name: 'PGlite', open: () => pgliteDatabase() },
];

const auditFor = (db: TestDatabase) => createAuditService({ queries: createAuditLogQueries(db.knex), citizens: createCitizenQueries(db.knex) });

const signIn = (citizenId: string, clientId = 'isp-demo'): AuditEvent =>
  ({ type: 'sign_in.succeeded', citizenId, clientId, actor: 'citizen', details: { acr: 'urn:cyberspace-id:acr:password', amr: ['pwd'] } });

async function countEntries(knex: Knex): Promise<number> {
  const [row] = await knex('audit_log').count<{ count: string }[]>('* as count');
  return Number(row?.count);
}

/** What someone able to switch the trigger off (a DBA) can do; verify must still notice. */
async function asDba(knex: Knex, ...statements: Array<[string, unknown[]]>): Promise<void> {
  await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
  try {
    for (const [sql, bindings] of statements) await knex.raw(sql, bindings as Knex.RawBinding[]);
  } finally {
    await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  }
}

/** A citizen whose events land in a chain other than `chains`. */
function citizenOutside(chains: number[]): string {
  for (;;) {
    const id = randomUUID();
    if (!chains.includes(chainFor({ citizenId: id, clientId: null, actor: 'citizen' }))) return id;
  }
}

for (const subject of subjects) {
  describe(`audit log on ${subject.name}`, () => {
    let db: TestDatabase;
    let audit: AuditService;

    before(async () => {
      db = await subject.open();
      audit = auditFor(db);
    });
    after(async () => db?.drop());

    it('appends linked, hashed entries and verifies them', async () => {
      // A citizen whose chain is not the operator event's, so this chain holds exactly two entries.
      const citizenId = citizenOutside([chainFor({ citizenId: null, clientId: null, actor: 'operator' })]);
      await audit.record(signIn(citizenId));
      await audit.record({ type: 'claims.released', citizenId, clientId: 'isp-demo', actor: 'citizen', details: { claims: ['age_over_18'] } });
      await audit.record({ type: 'keys.rotated', actor: 'operator', details: { kids: ['k1', 'k2'], operator_id: 'op-7' } });

      const chain = chainFor({ citizenId, clientId: null, actor: 'citizen' });
      const rows = await db.knex('audit_log').where({ chain }).orderBy('seq');
      assert.deepEqual(rows.map((r) => Number(r.seq)), [1, 2]);
      assert.equal(rows[0].prev_hash, GENESIS_HASH);
      assert.equal(rows[1].prev_hash, rows[0].hash);
      const head = await db.knex('audit_chain_heads').where({ chain }).first();
      assert.equal(Number(head.seq), 2);
      assert.equal(head.hash, rows[1].hash);

      assert.deepEqual(await audit.verify(), { ok: true, entries: 3 });
    });

    it('`cyberid audit verify` exits 0 with a one-line summary when the log is intact', async () => {
      const expected = (await audit.verify()) as { entries: number };
      const result = await runCommand({ audit } as unknown as Container, ['audit', 'verify']);
      assert.equal(result.exitCode, undefined);
      assert.equal(result.output, `audit log intact: ${expected.entries} entries verified\n`);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of entries in the database itself', async () => {
      await audit.record(signIn(randomUUID()));
      await assert.rejects(db.knex('audit_log').update({ type: 'sign_in.failed' }), /audit_log is append-only: UPDATE refused/);
      await assert.rejects(db.knex('audit_log').delete(), /audit_log is append-only: DELETE refused/);
      await assert.rejects(db.knex.raw('TRUNCATE audit_log'), /audit_log is append-only: TRUNCATE refused/);
      await assert.rejects(db.knex('audit_chain_heads').delete(), /only advance one entry at a time: DELETE refused/);
      await assert.rejects(db.knex('audit_chain_heads').update({ seq: 0, hash: GENESIS_HASH }), /only advance one entry at a time/);
      await assert.rejects(db.knex.raw('TRUNCATE audit_chain_heads'), /TRUNCATE refused/);
      assert.equal((await audit.verify()).ok, true);
    });

    it('lands 200 concurrent appends across citizens, every chain intact', async () => {
      const before = await countEntries(db.knex);
      const citizens = Array.from({ length: 50 }, () => randomUUID());
      await Promise.all(Array.from({ length: 200 }, (_, i) => audit.record(signIn(citizens[i % citizens.length]!))));
      assert.equal(await countEntries(db.knex), before + 200);
      const result = await audit.verify();
      assert.deepEqual(result, { ok: true, entries: before + 200 });
      for (const citizenId of citizens.slice(0, 5)) assert.equal((await audit.listForCitizen(citizenId)).length, 4);
      const used = await db.knex('audit_log').distinct('chain');
      assert.ok(used.length > 8, `appends spread over chains (${used.length} used)`);
    });

    it('refuses detail keys outside the allow-list and ids that are not internal uuids, writing nothing', async () => {
      const before = await countEntries(db.knex);
      const citizenId = randomUUID();
      const refusals: AuditEvent[] = [
        { type: 'claims.released', citizenId, actor: 'citizen', details: { name: '张三' } as never },
        { type: 'identity.decrypted', citizenId, actor: 'system', details: { document_number: '11010519491231002X' } as never },
        { type: 'sign_in.succeeded', citizenId: 'Zhang San', actor: 'citizen' },
        { type: 'sign_in.succeeded', citizenId: generateCyberspaceId(), actor: 'citizen' },
        { type: 'sign_in.succeeded', citizenId, actor: 'citizen', details: { reason_code: 'x'.repeat(500) } },
        { type: 'no.such_type' as never, citizenId, actor: 'citizen' },
        { type: 'sign_in.succeeded', citizenId, actor: 'hacker' as never },
      ];
      for (const event of refusals) await assert.rejects(audit.record(event), AuditEventError);
      assert.equal(await countEntries(db.knex), before);
    });

    it('lists only one citizen\'s events, newest first, page by page', async () => {
      const [citizenId, other] = [randomUUID(), randomUUID()];
      const types = ['account.applied', 'sign_in.failed', 'sign_in.succeeded', 'consent.granted', 'grant.revoked'] as const;
      for (const type of types) {
        await audit.record({ type, citizenId, clientId: 'isp-demo', actor: 'citizen' });
        await audit.record(signIn(other));
      }
      const newestFirst = [...types].reverse();
      const all = await audit.listForCitizen(citizenId);
      assert.deepEqual(all.map((e) => e.type), newestFirst);
      assert.ok(all.every((e) => e.citizenId === citizenId));

      const first = await audit.listForCitizen(citizenId, { limit: 2 });
      const second = await audit.listForCitizen(citizenId, { limit: 2, before: first.at(-1) });
      const third = await audit.listForCitizen(citizenId, { limit: 2, before: second.at(-1) });
      assert.deepEqual([...first, ...second, ...third].map((e) => e.type), newestFirst);
    });

    it('`audit tail --citizen` finds a citizen by cyberspace ID, forgivingly entered', async () => {
      const cyberspaceId = generateCyberspaceId();
      const [row] = await db.knex('citizens')
        .insert({ cyberspace_id: cyberspaceId, password_hash: 'unused', status: 'active', assurance_level: 'test' })
        .returning('id');
      await audit.record(signIn(row.id));
      const container = { audit } as unknown as Container;
      const typed = `${cyberspaceId.slice(0, 12).toLowerCase()} ${cyberspaceId.slice(12)}`;
      const result = await runCommand(container, ['audit', 'tail', '--citizen', typed, '--json']);
      assert.equal(result.exitCode, undefined, result.output);
      const entries = JSON.parse(result.output) as Array<{ citizenId: string; type: string }>;
      assert.deepEqual(entries.map((e) => [e.citizenId, e.type]), [[row.id, 'sign_in.succeeded']]);
      assert.equal((await runCommand(container, ['audit', 'tail', '--citizen', generateCyberspaceId()])).exitCode, 1);
    });
  });

  describe(`audit verify on ${subject.name} against someone who disables the trigger`, () => {
    let db: TestDatabase;
    let audit: AuditService;
    // Each scenario tampers with a chain of its own and looks only at the problems it caused.
    const taken: number[] = [];

    before(async () => {
      db = await subject.open();
      audit = auditFor(db);
    });
    after(async () => db?.drop());

    /** A fresh chain holding one citizen's six entries, seq 1..6. */
    async function seededChain(): Promise<number> {
      const citizenId = citizenOutside(taken);
      const chain = chainFor({ citizenId, clientId: null, actor: 'citizen' });
      taken.push(chain);
      for (let i = 0; i < 6; i += 1) await audit.record(signIn(citizenId));
      return chain;
    }

    const problems = async () => {
      const result = await audit.verify();
      return result.ok ? [] : result.problems;
    };

    /** Where verify says the chains break after `tamper`, beyond what it said before. */
    async function brokenAfter(tamper: () => Promise<void>): Promise<Array<[number, number]>> {
      const known = new Set((await problems()).map((p) => `${p.chain}:${p.seq}`));
      await tamper();
      return (await problems()).filter((p) => !known.has(`${p.chain}:${p.seq}`)).map((p) => [p.chain, p.seq]);
    }

    it('detects a changed entry, at its seq', async () => {
      const chain = await seededChain();
      const broken = await brokenAfter(() => asDba(db.knex, [`UPDATE audit_log SET details = '{"acr":"forged"}' WHERE chain = ? AND seq = 3`, [chain]]));
      assert.deepEqual(broken, [[chain, 3]]);
    });

    it('detects a changed entry whose hash was recomputed, where the next one no longer follows', async () => {
      const chain = await seededChain();
      const row = await db.knex('audit_log').where({ chain, seq: 3 }).first();
      const forged = { ...row, chain, seq: 3, occurred_at: new Date(row.occurred_at), client_id: 'other-isp' };
      const broken = await brokenAfter(() => asDba(db.knex,
        ['UPDATE audit_log SET client_id = ?, hash = ? WHERE chain = ? AND seq = 3', ['other-isp', entryHash(forged), chain]]));
      assert.deepEqual(broken, [[chain, 4]]);
    });

    it('detects a removed entry in the middle', async () => {
      const chain = await seededChain();
      const broken = await brokenAfter(() => asDba(db.knex, ['DELETE FROM audit_log WHERE chain = ? AND seq = 3', [chain]]));
      assert.deepEqual(broken, [[chain, 3]]);
    });

    it('detects removed entries at the end, through the chain head', async () => {
      const chain = await seededChain();
      const broken = await brokenAfter(() => asDba(db.knex, ['DELETE FROM audit_log WHERE chain = ? AND seq >= 5', [chain]]));
      assert.deepEqual(broken, [[chain, 5]]);
    });

    it('detects swapped entries', async () => {
      const chain = await seededChain();
      const broken = await brokenAfter(() => asDba(db.knex,
        ['UPDATE audit_log SET seq = -3 WHERE chain = ? AND seq = 3', [chain]],
        ['UPDATE audit_log SET seq = 3 WHERE chain = ? AND seq = 4', [chain]],
        ['UPDATE audit_log SET seq = 4 WHERE chain = ? AND seq = -3', [chain]]));
      assert.deepEqual(broken, [[chain, 3], [chain, 4]]);
    });

    it('`cyberid audit verify` exits 1 listing each problem with its chain and seq', async () => {
      const chain = await seededChain();
      await asDba(db.knex, ['DELETE FROM audit_log WHERE chain = ? AND seq = 2', [chain]]);
      const result = await runCommand({ audit } as unknown as Container, ['audit', 'verify']);
      assert.equal(result.exitCode, 1);
      assert.match(result.output, /^audit log TAMPERED: \d+ problem\(s\) in \d+ entries\n/);
      assert.match(result.output, new RegExp(`\n  chain ${chain} seq 2: entry 2 is missing\n`));
    });
  });
}
