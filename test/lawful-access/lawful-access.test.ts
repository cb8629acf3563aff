// Lawful access (DESIGN.md "What the rules ask"; docs/lawful-access.md): a request names a
// cyberspace ID or the pairwise ID an ISP really holds; a second officer approves; only then are
// the real identity and the authentication log revealed; every step is in the audit log (which
// still verifies); the citizen sees the access only once the embargo has passed.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { idTokenClaims, signInForTokens } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';
import { formatForReading, generateCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import type { AuditEntry } from '../../src/services/audit.js';
import type { CitizenRow } from '../../src/queries/citizens.js';
import type { Disclosure } from '../../src/services/lawful-access.js';
import { addOperator, bootstrapOperator, signIn } from '../support/operators.js';

function residentId(region: string, birth: string, serial: string) {
  const first17 = `${region}${birth.replaceAll('-', '')}${serial}`;
  return first17 + residentIdCheckCharacter(first17);
}

type Client = Awaited<ReturnType<typeof createClient>>;
type Person = { cyberspace_id: string; password: string; row: CitizenRow };

describe('lawful access', function () {
  this.timeout(60000);
  let app: TestApp;
  let isp: Client;
  let otherIsp: Client;
  let subject: Person;
  let bystander: Person;
  /** The pairwise IDs the ISP received for the subject and the bystander, from their ID tokens. */
  let subjectSub: string;
  let bystanderSub: string;
  /** Three lawful-access officers (operator account ids) and an operator without that role. */
  let officerA: string;
  let officerB: string;
  let officerC: string;
  let auditorId: string;
  const identity = { documentType: 'resident_id' as const, documentNumber: residentId('110105', '1983-07-14', '517'), name: '调取对象', birthDate: '1983-07-14' };

  const service = () => app.container.lawfulAccess;
  const knex = () => app.container.db.knex;
  const requestCount = async () => Number((await knex()('lawful_access_requests').count<{ c: string }[]>('* as c'))[0]!.c);
  const auditCount = async () => {
    const result = await app.container.audit.verify();
    assert.ok(result.ok, 'the audit log verifies');
    return result.entries;
  };
  const entriesFor = async (requestId: string): Promise<AuditEntry[]> =>
    (await app.container.audit.latest({ limit: 1000 })).filter((e) => e.details.lawful_access_id === requestId).reverse();
  const rowOf = async (requestId: string) => knex()('lawful_access_requests').where({ id: requestId }).first();

  async function person(credentials: { cyberspace_id: string; password: string }): Promise<Person> {
    return { ...credentials, row: (await app.container.citizenQueries.findCitizenByCyberspaceId(credentials.cyberspace_id))! };
  }

  async function subOf(client: Client, who: { cyberspace_id: string; password: string }): Promise<string> {
    const { tokens } = await signInForTokens(app.url, client, who);
    return String(idTokenClaims(tokens).sub);
  }

  /** request (A) → approve (B), by cyberspace ID unless `input` says otherwise. */
  async function approvedRequest(who: Person, input: Partial<Parameters<ReturnType<typeof service>['request']>[0]> = {}) {
    const { id } = await service().request({ cyberspaceId: who.cyberspace_id, caseReference: 'CASE-2026/0001', authorityCode: 'PSB-110105', officer: officerA, ...input });
    await service().approve(id, officerB);
    return id;
  }

  before(async () => {
    app = await startTestApp();
    const root = await bootstrapOperator(app.container);
    const admin = { actor: await signIn(app.container, root), operator: root };
    officerA = (await addOperator(app.container, admin, ['lawful_access_officer'])).id;
    officerB = (await addOperator(app.container, admin, ['lawful_access_officer'])).id;
    officerC = (await addOperator(app.container, admin, ['lawful_access_officer'])).id;
    auditorId = (await addOperator(app.container, admin, ['auditor'])).id;
    isp = await createClient(app.container, { name: 'Forum ISP', redirectUris: ['https://forum.example/callback'] });
    otherIsp = await createClient(app.container, { name: 'Shop ISP', redirectUris: ['https://shop.example/callback'] });
    await app.container.sandboxIdentities.add(identity);
    const password = 'a long memorable phrase for the subject';
    const applied = await app.container.applications.apply({ ...identity, password });
    subject = await person({ cyberspace_id: applied.cyberspaceId, password });
    bystander = await person(await createCitizen(app.container));
    // Real logins, so the pairwise IDs are what the ISP really holds.
    bystanderSub = await subOf(isp, bystander);
    subjectSub = await subOf(isp, subject);
    await subOf(otherIsp, subject);
  });
  after(async () => app?.stop());

  describe('naming the subject', () => {
    it('resolves a cyberspace ID, entered forgivingly, to its citizen', async () => {
      const { id, status } = await service().request({
        cyberspaceId: formatForReading(subject.cyberspace_id).toLowerCase(),
        caseReference: 'CASE-2026/0002', authorityCode: 'PSB-110105', officer: officerA,
      });
      assert.equal(status, 'pending');
      const row = await rowOf(id);
      assert.equal(row.citizen_id, subject.row.id);
      assert.equal(row.subject_kind, 'cyberspace_id');
      assert.equal(row.client_id, null);
    });

    it('resolves the pairwise ID an ISP holds (from its ID token) to the right citizen among that ISP\'s users', async () => {
      assert.notEqual(subjectSub, subject.cyberspace_id, 'the ISP never saw the cyberspace ID itself');
      const { id } = await service().request({ pairwiseId: subjectSub, clientId: isp.client_id, caseReference: 'CASE-2026/0003', authorityCode: 'PSB-110105', officer: officerA });
      const row = await rowOf(id);
      assert.equal(row.citizen_id, subject.row.id);
      assert.equal(row.subject_kind, 'pairwise');
      assert.equal(row.client_id, isp.client_id);

      const other = await service().request({ pairwiseId: bystanderSub, clientId: isp.client_id, caseReference: 'CASE-2026/0004', authorityCode: 'PSB-110105', officer: officerA });
      assert.equal((await rowOf(other.id)).citizen_id, bystander.row.id);
    });

    it('does not resolve a pairwise ID against another ISP, nor one nobody holds; the attempt is audited', async () => {
      const before = await requestCount();
      await assert.rejects(
        service().request({ pairwiseId: subjectSub, clientId: otherIsp.client_id, caseReference: 'CASE-2026/0005', authorityCode: 'PSB-110105', officer: officerA }),
        { name: 'NotFoundError' },
      );
      await assert.rejects(
        service().request({ pairwiseId: generateCyberspaceId(), clientId: isp.client_id, caseReference: 'CASE-2026/0005', authorityCode: 'PSB-110105', officer: officerA }),
        { name: 'NotFoundError' },
      );
      await assert.rejects(
        service().request({ pairwiseId: subjectSub, clientId: 'isp_no_such_client', caseReference: 'CASE-2026/0005', authorityCode: 'PSB-110105', officer: officerA }),
        { name: 'NotFoundError' },
      );
      assert.equal(await requestCount(), before, 'no request recorded');
      const attempts = (await app.container.audit.latest({ limit: 1000 }))
        .filter((e) => e.type === 'lawful_access.requested' && e.details.case_reference === 'CASE-2026/0005');
      assert.equal(attempts.length, 2, 'both lookups against known ISPs are on record');
      assert.ok(attempts.every((e) => e.details.status === 'no_match' && e.citizenId === null));
    });

    it('still resolves a pairwise ID after the citizen revoked that ISP (its connection row is gone)', async () => {
      const leaver = await person(await createCitizen(app.container));
      const sub = await subOf(otherIsp, leaver);
      assert.ok(await app.container.connections.revoke(leaver.row, otherIsp.client_id));
      const { id } = await service().request({ pairwiseId: sub, clientId: otherIsp.client_id, caseReference: 'CASE-2026/0006', authorityCode: 'PSB-110105', officer: officerA });
      assert.equal((await rowOf(id)).citizen_id, leaver.row.id);
    });

    it('refuses malformed officers, case references, authority codes, subjects and embargo dates, writing nothing', async () => {
      const requests = await requestCount();
      const entries = await auditCount();
      const valid = { cyberspaceId: subject.cyberspace_id, caseReference: 'CASE-2026/0007', authorityCode: 'PSB-110105', officer: officerA };
      const bad = [
        { officer: 'Zhang Wei' },
        { officer: '张伟' },
        { officer: 'x' },
        { officer: 'a'.repeat(65) },
        { caseReference: 'case of 张三' },
        { caseReference: '/etc/passwd' },
        { caseReference: 'CASE\n2026' },
        { authorityCode: '' },
        { authorityCode: 'Beijing PSB' },
        { cyberspaceId: 'not-an-id' },
        { cyberspaceId: undefined, pairwiseId: subjectSub },
        { pairwiseId: subjectSub, clientId: isp.client_id },
        { embargoUntil: '2030-02-30' },
        { embargoUntil: '30/06/2030' },
        { embargoUntil: '2020-01-01' },
      ];
      for (const patch of bad) {
        await assert.rejects(service().request({ ...valid, ...patch }), { name: 'ValidationError' }, JSON.stringify(patch));
      }
      const { id } = await service().request(valid);
      await assert.rejects(service().approve(id, 'Li Si'), { name: 'ValidationError' });
      await assert.rejects(service().reveal(id, 'officer a'), { name: 'ValidationError' });
      await assert.rejects(service().refuse(id, ''), { name: 'ValidationError' });
      await assert.rejects(service().approve('not-a-uuid', officerB), { name: 'NotFoundError' });
      await assert.rejects(service().approve(id, '5b0f8c1e-0000-4000-8000-000000000000'), { name: 'ForbiddenError' }, 'a uuid that is no operator');
      await assert.rejects(service().approve(id, auditorId), { name: 'ForbiddenError' }, 'an operator without the lawful_access_officer role');
      await assert.rejects(service().request({ ...valid, officer: auditorId }), { name: 'ForbiddenError' });
      assert.equal((await rowOf(id)).status, 'pending');
      assert.equal(await requestCount(), requests + 1, 'only the one valid request was written');
      assert.equal(await auditCount(), entries + 1, 'only its one audit entry was written');
    });
  });

  describe('two officers, then disclosure', () => {
    let requestId: string;
    let disclosure: Disclosure;

    before(async () => {
      ({ id: requestId } = await service().request({ pairwiseId: subjectSub, clientId: isp.client_id, caseReference: 'CASE-2026/0100', authorityCode: 'PSB-110105', officer: officerA }));
    });

    it('does not let the requesting officer approve their own request', async () => {
      await assert.rejects(service().approve(requestId, officerA), { name: 'ForbiddenError' });
      assert.equal((await rowOf(requestId)).status, 'pending');
    });

    it('reveals nothing before a second officer approves', async () => {
      await assert.rejects(service().reveal(requestId, officerA), { name: 'ConflictError', message: /not been approved/ });
      assert.equal((await rowOf(requestId)).status, 'pending');
    });

    it('is approved once, by a different officer', async () => {
      const approved = await service().approve(requestId, officerB);
      assert.equal(approved.status, 'approved');
      assert.equal(approved.approving_officer, officerB);
      await assert.rejects(service().approve(requestId, officerC), { name: 'ConflictError' });
      assert.equal((await rowOf(requestId)).approving_officer, officerB);
    });

    it('reveals only to the requesting or approving officer', async () => {
      await assert.rejects(service().reveal(requestId, officerC), { name: 'ForbiddenError' });
      assert.equal((await rowOf(requestId)).status, 'approved');
    });

    it('then reveals the real identity and the authentication log, once', async () => {
      disclosure = await service().reveal(requestId, officerA);
      assert.equal(disclosure.cyberspace_id, subject.cyberspace_id);
      assert.deepEqual(disclosure.identity, { name: identity.name, document_type: 'resident_id', document_number: identity.documentNumber, birth_date: identity.birthDate });
      const log = disclosure.authentication_log;
      const types = new Set(log.map((e) => e.type));
      for (const type of ['account.applied', 'sign_in.succeeded', 'consent.granted', 'claims.released']) assert.ok(types.has(type), `${type} in the log`);
      assert.ok(log.some((e) => e.type === 'sign_in.succeeded' && e.client_id === isp.client_id), 'sign-ins at the ISP');
      assert.ok(log.some((e) => e.type === 'claims.released' && e.client_id === otherIsp.client_id), 'and at the other ISP');
      assert.ok(!types.has('identity.decrypted'), 'internal decryption records are not part of the authentication log');
      assert.ok(!log.some((e) => e.type.startsWith('lawful_access.')));
      const times = log.map((e) => e.occurred_at);
      assert.deepEqual([...times].sort().reverse(), times, 'newest first');
      await assert.rejects(service().reveal(requestId, officerB), { name: 'ConflictError', message: /revealed/ });
      const row = await rowOf(requestId);
      assert.equal(row.status, 'revealed');
      assert.equal(row.revealing_officer, officerA);
    });

    it('has every step in the audit log, which still verifies, and no identity data there or in the ledger', async () => {
      const entries = await entriesFor(requestId);
      // The second identity.decrypted is the authentication log's network data.
      assert.deepEqual(entries.map((e) => e.type), ['lawful_access.requested', 'lawful_access.approved', 'identity.decrypted', 'lawful_access.revealed', 'identity.decrypted']);
      assert.deepEqual(entries.map((e) => e.details.operator_id), [officerA, officerB, officerA, officerA, officerA]);
      for (const entry of entries) {
        assert.equal(entry.actor, 'operator');
        assert.equal(entry.citizenId, null, 'kept out of the citizen\'s own activity');
        assert.equal(entry.details.subject_id, subject.row.id);
        assert.equal(entry.clientId, isp.client_id);
        if (entry.type !== 'identity.decrypted') {
          assert.equal(entry.details.case_reference, 'CASE-2026/0100');
          assert.equal(entry.details.authority_code, 'PSB-110105');
        }
      }
      const decrypted = entries.find((e) => e.type === 'identity.decrypted')!;
      assert.equal(decrypted.details.purpose, 'lawful_access');
      assert.deepEqual([...(decrypted.details.fields as string[])].sort(), ['birthDate', 'documentNumber', 'documentType', 'name']);
      assert.deepEqual(entries.at(-1)!.details.fields, ['network_address', 'user_agent']);
      const result = await app.container.audit.verify();
      assert.equal(result.ok, true, JSON.stringify(result));

      const dump = JSON.stringify([await knex()('lawful_access_requests').select('*'), await app.container.audit.latest({ limit: 1000 })]);
      assert.ok(!dump.includes(identity.name) && !dump.includes(identity.documentNumber), 'no plaintext identity in the ledger or the log');
      assert.ok(!dump.includes(subject.cyberspace_id) && !dump.includes(subjectSub), 'nor the IDs that named the subject');
      const logs = app.logs.join('');
      assert.ok(!logs.includes(identity.name) && !logs.includes(identity.documentNumber), 'nor in the server log');
    });

    it('keeps the steps out of the citizen\'s own audit entries', async () => {
      const own = await app.container.audit.listForCitizen(subject.row.id, { limit: 1000 });
      assert.ok(own.length > 0);
      assert.ok(!own.some((e) => e.type.startsWith('lawful_access.') || e.details.purpose === 'lawful_access'));
    });

    it('can be refused instead, after which it can be neither approved nor revealed', async () => {
      const { id } = await service().request({ cyberspaceId: subject.cyberspace_id, caseReference: 'CASE-2026/0101', authorityCode: 'PSB-110105', officer: officerA });
      const refused = await service().refuse(id, officerB);
      assert.equal(refused.status, 'refused');
      await assert.rejects(service().approve(id, officerB), { name: 'ConflictError' });
      await assert.rejects(service().reveal(id, officerA), { name: 'ConflictError' });
      await assert.rejects(service().refuse(id, officerB), { name: 'ConflictError' });
      assert.deepEqual((await entriesFor(id)).map((e) => e.type), ['lawful_access.requested', 'lawful_access.refused']);
      const approved = await approvedRequest(subject, { caseReference: 'CASE-2026/0102' });
      assert.equal((await service().refuse(approved, officerA)).status, 'refused', 'an approved request can still be withdrawn');
    });

    it('lists the ledger without naming anyone', async () => {
      const list = await service().list();
      const entry = list.find((r) => r.id === requestId);
      assert.ok(entry);
      assert.equal(entry.status, 'revealed');
      assert.ok(!('citizen_id' in entry));
      assert.deepEqual((await service().list({ status: 'refused' })).map((r) => r.status).filter((s) => s !== 'refused'), []);
    });
  });

  describe('a cancelled account', () => {
    it('reveals the authentication log but no identity: it was crypto-shredded', async () => {
      const gone = await person(await app.container.citizens.createTestCitizen({ birthDate: '1990-01-01' }));
      const sub = await subOf(isp, gone);
      await app.container.lifecycle.cancel(gone.row, gone.password);
      const id = await approvedRequest(gone, { cyberspaceId: undefined, pairwiseId: sub, clientId: isp.client_id, caseReference: 'CASE-2026/0200' });
      const result = await service().reveal(id, officerB);
      assert.equal(result.account_status, 'cancelled');
      assert.equal(result.identity, null);
      assert.match(result.identity_note ?? '', /crypto-shredded/);
      assert.ok(result.authentication_log.some((e) => e.type === 'account.cancelled'));
      assert.ok(result.authentication_log.some((e) => e.type === 'sign_in.succeeded' && e.client_id === isp.client_id));
      const types = (await entriesFor(id)).map((e) => e.type);
      assert.deepEqual(types, ['lawful_access.requested', 'lawful_access.approved', 'lawful_access.revealed', 'identity.decrypted'], 'no identity was decrypted');
      const decrypted = (await entriesFor(id)).at(-1)!;
      assert.deepEqual(decrypted.details.fields, ['network_address', 'user_agent'], 'only the network data, kept for its retention period after cancellation');
      assert.ok(result.authentication_log.some((e) => e.type === 'sign_in.succeeded' && e.address && e.user_agent));
    });
  });

  describe('the citizen\'s view (embargo)', () => {
    // Embargo "until 2030-06-30": the citizen sees the access from 1 July 2030 in Beijing.
    const lastEmbargoedMoment = new Date('2030-06-30T15:59:59.999Z');
    const firstVisibleMoment = new Date('2030-06-30T16:00:00.000Z');

    it('shows a revealed access only once the embargo date has passed, with the case reference and date only', async () => {
      const citizen = await person(await createCitizen(app.container));
      const id = await approvedRequest(citizen, { caseReference: 'CASE-2026/0300', embargoUntil: '2030-06-30' });
      assert.deepEqual(await service().disclosuresVisibleTo(citizen.row.id, firstVisibleMoment), [], 'approved but not revealed: nothing to show');
      await service().reveal(id, officerA);
      assert.deepEqual(await service().disclosuresVisibleTo(citizen.row.id), [], 'not now');
      assert.deepEqual(await service().disclosuresVisibleTo(citizen.row.id, lastEmbargoedMoment), [], 'not on the embargo date itself');
      const visible = await service().disclosuresVisibleTo(citizen.row.id, firstVisibleMoment);
      assert.equal(visible.length, 1);
      assert.deepEqual(Object.keys(visible[0]!).sort(), ['caseReference', 'date']);
      assert.equal(visible[0]!.caseReference, 'CASE-2026/0300');
      assert.equal(visible[0]!.date.getTime(), (await rowOf(id)).revealed_at.getTime());
    });

    it('shows an access without an embargo as soon as it is revealed; never a refused one or someone else\'s', async () => {
      const citizen = await person(await createCitizen(app.container));
      const refused = await approvedRequest(citizen, { caseReference: 'CASE-2026/0301' });
      await service().refuse(refused, officerB);
      const revealed = await approvedRequest(citizen, { caseReference: 'CASE-2026/0302' });
      assert.deepEqual(await service().disclosuresVisibleTo(citizen.row.id, firstVisibleMoment), []);
      await service().reveal(revealed, officerB);
      assert.deepEqual((await service().disclosuresVisibleTo(citizen.row.id)).map((d) => d.caseReference), ['CASE-2026/0302']);
      assert.ok(!(await service().disclosuresVisibleTo(bystander.row.id, firstVisibleMoment)).some((d) => d.caseReference.startsWith('CASE-2026/03')));
    });
  });

  describe('cyberid lawful-access', () => {
    const cli = async (...argv: string[]) => runCommand(app.container, ['lawful-access', ...argv]);

    it('no longer takes the steps from a shell: it points to the console', async () => {
      const before = await requestCount();
      for (const step of ['request', 'approve', 'reveal', 'refuse']) {
        const result = await cli(step, '--cyberspace-id', subject.cyberspace_id, '--case', 'CLI-2026/1', '--authority', 'PSB-110105', '--officer', 'badge.1001');
        assert.equal(result.exitCode, 2, step);
        assert.match(result.output, /\/admin\/lawful-access/);
      }
      assert.equal(await requestCount(), before);
    });

    it('still lists the ledger, naming no citizen', async () => {
      const id = await approvedRequest(subject, { caseReference: 'CLI-2026/2' });
      const list = await cli('list', '--json');
      const row = (JSON.parse(list.output) as Array<{ id: string; status: string }>).find((r) => r.id === id);
      assert.equal(row?.status, 'approved');
      assert.ok(!list.output.includes(subject.cyberspace_id));
      assert.match((await cli('list')).output, new RegExp(`${id}\\s+approved`));
    });
  });
});
