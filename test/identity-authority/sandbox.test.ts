// The sandbox identity authority: answers from synthetic identities and guardian relationships,
// stores only keyed hashes, is loaded through `cyberid sandbox add|add-guardian|seed`, and does
// not exist in production.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSandboxAuthority, createSandboxRegistry, deriveSandboxKey } from '../../src/identity-authority/sandbox.js';
import { SANDBOX_SEED_GUARDIANSHIPS, SANDBOX_SEED_IDENTITIES } from '../../src/identity-authority/sandbox-seed.js';
import type { DocumentRef, IdentityClaim } from '../../src/identity-authority/port.js';
import { createSandboxIdentityQueries } from '../../src/queries/sandbox-identities.js';
import { runCommand } from '../../src/cli/registry.js';
import type { Container } from '../../src/container.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/errors.js';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const claimOf = ({ documentType, documentNumber, name, birthDate }: IdentityClaim): IdentityClaim => ({ documentType, documentNumber, name, birthDate });
const adult = claimOf(SANDBOX_SEED_IDENTITIES[0]!);
const muller = claimOf(SANDBOX_SEED_IDENTITIES.find((e) => e.name === 'Anna Müller')!);
const extra: IdentityClaim = { documentType: 'passport', documentNumber: 'G12345678', name: '孙悦', birthDate: '2001-04-09' };
const documentOf = (name: string): DocumentRef => {
  const { documentType, documentNumber } = SANDBOX_SEED_IDENTITIES.find((e) => e.name === name)!;
  return { documentType, documentNumber };
};
const [zhangWei, wangXiuying, liNa, liuYang, chenJing, zhouZihan] = ['张伟', '王秀英', '李娜', '刘洋', '陈静', '周子涵'].map(documentOf) as [DocumentRef, DocumentRef, DocumentRef, DocumentRef, DocumentRef, DocumentRef];

const stores: Array<[string, () => Promise<TestDatabase>]> = [
  ['PostgreSQL', async () => {
    const { databaseUrl } = await realServices();
    return databaseUrl ? postgresDatabase(databaseUrl) : pgliteDatabase();
  }],
  ['PGlite', pgliteDatabase],
];

for (const [label, open] of stores) {
  describe(`sandbox identity authority (${label})`, () => {
    let db: TestDatabase;
    let queries: ReturnType<typeof createSandboxIdentityQueries>;
    const key = deriveSandboxKey(randomBytes(32));
    const authority = () => createSandboxAuthority({ queries, key });
    const registry = (production = false) => createSandboxRegistry({ queries, key, production });
    before(async () => {
      db = await open();
      queries = createSandboxIdentityQueries(db.knex);
      await registry().seed(SANDBOX_SEED_IDENTITIES, SANDBOX_SEED_GUARDIANSHIPS);
    });
    after(async () => db.drop());

    it('verifies every seeded identity', async () => {
      for (const entry of SANDBOX_SEED_IDENTITIES) {
        assert.deepEqual(await authority().verify(claimOf(entry)), { outcome: 'verified' }, entry.documentNumber);
      }
    });

    it('does not verify a wrong name, a wrong birth date, an unknown document or another document type', async () => {
      const cases: IdentityClaim[] = [
        { ...adult, name: '张伟伟' },
        { ...adult, birthDate: '1990-05-18' },
        { ...adult, documentNumber: '110101199005170139' },
        { ...claimOf(SANDBOX_SEED_IDENTITIES.find((e) => e.documentType === 'taiwan_permit')!), documentType: 'passport' },
      ];
      for (const claim of cases) assert.deepEqual(await authority().verify(claim), { outcome: 'not_verified' }, JSON.stringify(claim));
    });

    it('compares names in NFC, so a decomposed ü matches', async () => {
      assert.deepEqual(await authority().verify({ ...muller, name: 'Anna Mu\u0308ller' }), { outcome: 'verified' });
    });

    it('adds an identity once; a second add of the document is a clear error that changes nothing', async () => {
      await registry().add(extra);
      await assert.rejects(registry().add({ ...extra, name: '孙月' }), (error: Error) =>
        error instanceof ConflictError && /already holds an identity with this document/.test(error.message));
      assert.deepEqual(await authority().verify(extra), { outcome: 'verified' });
      assert.deepEqual(await authority().verify({ ...extra, name: '孙月' }), { outcome: 'not_verified' });
    });

    it('seeds again without duplicates, restoring a default identity that was replaced', async () => {
      const before = await queries.countSandboxIdentities();
      await registry().seed([{ ...adult, name: '张三' }]);
      assert.deepEqual(await authority().verify(adult), { outcome: 'not_verified' });
      await registry().seed(SANDBOX_SEED_IDENTITIES);
      assert.equal(await queries.countSandboxIdentities(), before);
      assert.deepEqual(await authority().verify(adult), { outcome: 'verified' });
    });

    it('answers only under its own key (another BLIND_INDEX_SECRET verifies nothing)', async () => {
      const other = createSandboxAuthority({ queries, key: deriveSandboxKey(randomBytes(32)) });
      assert.deepEqual(await other.verify(adult), { outcome: 'not_verified' });
    });

    it('confirms each seeded guardian relationship, and only in its direction', async () => {
      for (const { guardian, ward } of SANDBOX_SEED_GUARDIANSHIPS) {
        assert.deepEqual(await authority().confirmGuardian({ guardian, ward }), { outcome: 'confirmed' });
        assert.deepEqual(await authority().confirmGuardian({ guardian: ward, ward: guardian }), { outcome: 'not_confirmed' }, 'the ward is not the guardian');
      }
    });

    it('does not confirm an adult who is nobody\'s guardian, another family\'s child, or an unknown document', async () => {
      const cases = [
        { guardian: liNa, ward: liuYang },
        { guardian: zhangWei, ward: zhouZihan },
        { guardian: wangXiuying, ward: chenJing },
        { guardian: { documentType: 'resident_id' as const, documentNumber: '110101199005170139' }, ward: liuYang },
      ];
      for (const pair of cases) assert.deepEqual(await authority().confirmGuardian(pair), { outcome: 'not_confirmed' }, JSON.stringify(pair));
      const other = createSandboxAuthority({ queries, key: deriveSandboxKey(randomBytes(32)) });
      assert.deepEqual(await other.confirmGuardian({ guardian: zhangWei, ward: liuYang }), { outcome: 'not_confirmed' }, 'only under its own key');
    });

    it('adds a relationship between two sandbox identities once; refuses unknown people and a person as their own guardian', async () => {
      await registry().addGuardian({ guardian: liNa, ward: zhouZihan });
      assert.deepEqual(await authority().confirmGuardian({ guardian: liNa, ward: zhouZihan }), { outcome: 'confirmed' });
      await assert.rejects(registry().addGuardian({ guardian: liNa, ward: zhouZihan }), (error: Error) =>
        error instanceof ConflictError && /already records this guardian for this ward/.test(error.message));
      const unknown = { documentType: 'passport' as const, documentNumber: 'G99999999' };
      await assert.rejects(registry().addGuardian({ guardian: unknown, ward: liuYang }), (error: Error) =>
        error instanceof ValidationError && /no identity with the guardian's document/.test(error.message));
      await assert.rejects(registry().addGuardian({ guardian: liNa, ward: unknown }), (error: Error) =>
        error instanceof ValidationError && /no identity with the ward's document/.test(error.message));
      await assert.rejects(registry().addGuardian({ guardian: liNa, ward: liNa }), /the same document/);
      assert.deepEqual(await authority().confirmGuardian({ guardian: unknown, ward: liuYang }), { outcome: 'not_confirmed' });
    });

    it('seeds the relationships again without duplicates', async () => {
      const count = async () => Number((await db.knex('sandbox_guardianships').count<{ count: string }[]>('* as count'))[0]!.count);
      const before = await count();
      await registry().seed(SANDBOX_SEED_IDENTITIES, SANDBOX_SEED_GUARDIANSHIPS);
      assert.equal(await count(), before);
    });

    it('is refused in production, writing nothing', async () => {
      const before = await queries.countSandboxIdentities();
      const production = registry(true);
      await assert.rejects(production.add({ ...extra, documentNumber: 'G12345679' }), ForbiddenError);
      await assert.rejects(production.seed(SANDBOX_SEED_IDENTITIES), ForbiddenError);
      await assert.rejects(production.addGuardian({ guardian: liNa, ward: chenJing }), ForbiddenError);
      assert.equal(await queries.countSandboxIdentities(), before);
      assert.deepEqual(await authority().confirmGuardian({ guardian: liNa, ward: chenJing }), { outcome: 'not_confirmed' });
    });
  });
}

describe('cyberid sandbox', () => {
  let app: TestApp;
  let count: () => Promise<number>;
  const cli = (...argv: string[]) => runCommand(app.container, argv);
  const addArgs = (claim: Record<string, string>) => [
    'sandbox', 'add', '--document-type', claim.documentType!, '--document-number', claim.documentNumber!,
    '--name', claim.name!, '--birth-date', claim.birthDate!,
  ];
  before(async () => {
    app = await startTestApp();
    const queries = createSandboxIdentityQueries(app.container.db.knex);
    count = () => queries.countSandboxIdentities();
  });
  after(async () => app.stop());

  it('seed loads the documented set into the authority the container uses', async () => {
    const result = await cli('sandbox', 'seed');
    assert.equal(result.exitCode ?? 0, 0, result.output);
    assert.match(result.output, new RegExp(`seeded ${SANDBOX_SEED_IDENTITIES.length} synthetic identities and ${SANDBOX_SEED_GUARDIANSHIPS.length} guardian relationships`));
    assert.equal(await count(), SANDBOX_SEED_IDENTITIES.length);
    for (const entry of SANDBOX_SEED_IDENTITIES) {
      assert.deepEqual(await app.container.identityAuthority.verify(claimOf(entry)), { outcome: 'verified' });
    }
    for (const { guardian, ward } of SANDBOX_SEED_GUARDIANSHIPS) {
      assert.deepEqual(await app.container.identityAuthority.confirmGuardian({ guardian, ward }), { outcome: 'confirmed' });
    }
  });

  const addGuardianArgs = (guardian: DocumentRef, ward: DocumentRef) => [
    'sandbox', 'add-guardian', '--guardian-document-type', guardian.documentType, '--guardian-document-number', guardian.documentNumber,
    '--ward-document-type', ward.documentType, '--ward-document-number', ward.documentNumber,
  ];
  const pairCount = async () => Number((await app.container.db.knex('sandbox_guardianships').count<{ count: string }[]>('* as count'))[0]!.count);

  it('add-guardian records a relationship between sandbox identities (numbers normalised like the form)', async () => {
    const result = await cli(...addGuardianArgs(liNa, { ...chenJing, documentNumber: chenJing.documentNumber.replace(/(\d{6})/, '$1 ') }));
    assert.equal(result.exitCode ?? 0, 0, result.output);
    assert.match(result.output, /^added 1 guardian relationship to the sandbox/);
    assert.doesNotMatch(result.output, /440305|510104/, 'the output does not repeat the documents');
    assert.deepEqual(await app.container.identityAuthority.confirmGuardian({ guardian: liNa, ward: chenJing }), { outcome: 'confirmed' });
  });

  it('add-guardian refuses an invalid or unknown document and a repeat, writing nothing', async () => {
    const before = await pairCount();
    const cases: Array<[string[], number, RegExp]> = [
      [addGuardianArgs({ ...liNa, documentNumber: '440305198802290124' }, liuYang), 1, /--guardian-document-type and --guardian-document-number must name a valid document/],
      [addGuardianArgs({ documentType: 'passport', documentNumber: 'G99999999' }, liuYang), 1, /no identity with the guardian's document; add it first/],
      [addGuardianArgs(zhangWei, liuYang), 1, /already records this guardian for this ward/],
      [['sandbox', 'add-guardian', '--guardian-document-type', 'resident_id'], 2, /--guardian-document-number is required/],
    ];
    for (const [argv, exitCode, message] of cases) {
      const result = await cli(...argv);
      assert.equal(result.exitCode, exitCode, result.output);
      assert.match(result.output, message);
    }
    assert.equal(await pairCount(), before);
  });

  it('add validates and normalises like the application form (spaces, lowercase x, full-width digits)', async () => {
    const result = await cli(...addArgs({ documentType: 'resident_id', documentNumber: '５１０１ 0419-9001 0100 6x', name: ' 吴 敏 ', birthDate: '1990-01-01' }));
    assert.equal(result.exitCode ?? 0, 0, result.output);
    assert.doesNotMatch(result.output, /吴|510104/, 'the output does not repeat the identity');
    const claim: IdentityClaim = { documentType: 'resident_id', documentNumber: '51010419900101006X', name: '吴 敏', birthDate: '1990-01-01' };
    assert.deepEqual(await app.container.identityAuthority.verify(claim), { outcome: 'verified' });
  });

  it('add refuses the same document twice with a clear error', async () => {
    const result = await cli(...addArgs({ ...adult, name: '张三' }));
    assert.equal(result.exitCode, 1);
    assert.match(result.output, /^error: the sandbox already holds an identity with this document type and number/);
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['a wrong check character', { ...adult, documentNumber: '110101199005170113' }, /check character does not match/],
    ['a birth date other than the one in the number', { ...adult, documentNumber: '110101199005170112', birthDate: '1990-05-16' }, /birth date differs/],
    ['an unknown document type', { ...adult, documentType: 'driving_licence' }, /document type must be one of resident_id, passport/],
    ['a passport number in the wrong format', { ...extra, documentNumber: 'X1234567' }, /does not have the format/],
    ['digits in the name', { ...extra, documentNumber: 'G22345678', name: '孙悦2' }, /name may hold only/],
    ['an invisible character in the name', { ...extra, documentNumber: 'G22345678', name: '孙\u200B悦' }, /invisible/],
    ['a birth date that is not a date', { ...extra, documentNumber: 'G22345678', birthDate: '2001-02-30' }, /birth date must be a real past date/],
    ['a birth date in the future', { ...extra, documentNumber: 'G22345678', birthDate: '2999-01-01' }, /birth date must be a real past date/],
  ];
  for (const [what, claim, message] of invalid) {
    it(`add refuses ${what}, writing nothing`, async () => {
      const before = await count();
      const result = await cli(...addArgs(claim));
      assert.equal(result.exitCode, 1, result.output);
      assert.match(result.output, message);
      assert.equal(await count(), before);
    });
  }

  it('add without a required option prints the usage', async () => {
    const result = await cli('sandbox', 'add', '--document-type', 'passport');
    assert.equal(result.exitCode, 2);
    assert.match(result.output, /--document-number is required\nusage: cyberid sandbox add/);
  });

  it('leaves no name, document number or birth date in any table or log line', async () => {
    const { knex } = app.container.db;
    const tables = await knex('information_schema.tables').where({ table_schema: app.schema }).pluck('table_name');
    assert.ok(tables.includes('sandbox_identities'));
    let dump = '';
    for (const table of tables) {
      const rows = await knex.raw('SELECT row_to_json(t)::text AS row FROM ??.?? t', [app.schema, table]);
      dump += (rows.rows as Array<{ row: string }>).map((r) => r.row).join('\n');
    }
    const sandboxRows = await knex('sandbox_identities').select('*');
    assert.deepEqual(Object.keys(sandboxRows[0]).sort(), ['created_at', 'lookup', 'verifier']);
    assert.ok(dump.includes(sandboxRows[0].lookup), 'the dump covers the sandbox table');
    // Guardian relationships: one keyed hash per pair, nothing else (the seeded pairs are there).
    const pairRows = await knex('sandbox_guardianships').select('*');
    assert.ok(pairRows.length >= SANDBOX_SEED_GUARDIANSHIPS.length);
    assert.deepEqual(Object.keys(pairRows[0]).sort(), ['created_at', 'pair']);
    for (const row of pairRows) assert.match(row.pair, /^[0-9a-f]{64}$/);
    assert.ok(dump.includes(pairRows[0].pair), 'the dump covers the relationships table');
    const haystacks = { 'database dump': dump, logs: app.logs.join('') };
    const people = [...SANDBOX_SEED_IDENTITIES, { documentType: 'resident_id' as const, documentNumber: '51010419900101006X', name: '吴 敏', birthDate: '1990-01-01' }];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const person of people) {
        for (const value of [person.documentNumber, person.name, person.birthDate, person.birthDate.replaceAll('-', '')]) {
          assert.ok(!text.includes(value), `${where} contains ${value}`);
        }
        // The sandbox key is not the citizens' blind-index key: no row can be matched across.
        assert.ok(!text.includes(app.container.vault.blindIndex(person.documentType, person.documentNumber)), `${where} holds a document blind index`);
      }
    }
  });

  it('is refused in production', async () => {
    const production = {
      ...app.container,
      sandboxIdentities: createSandboxRegistry({ queries: createSandboxIdentityQueries(app.container.db.knex), key: randomBytes(32), production: true }),
    } as Container;
    const before = await count();
    for (const argv of [addArgs(extra), ['sandbox', 'seed'], addGuardianArgs(liNa, liuYang)]) {
      const result = await runCommand(production, argv);
      assert.equal(result.exitCode, 1);
      assert.match(result.output, /error: the sandbox identity authority is not available in production/);
    }
    assert.equal(await count(), before);
  });
});
