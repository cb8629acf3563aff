// The admin API's operations (docs/admin-api.md) through the same operations layer as the
// console: each role's routes work for it and refuse (403, audited with operator, role and
// request id) every other role; sensitive operations ask for a fresh authenticator code
// (RFC 9470 challenge); lawful access needs two operators, whatever one operator tries; bad
// input changes nothing; and no response but the lawful-access reveal carries plaintext identity.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen } from '../support/factories.js';
import { personAged } from '../support/identities.js';
import { addOperator, bootstrapOperator, signIn, type TestOperator } from '../support/operators.js';
import { apiAs, type AdminApiClient, type ApiResponse } from '../support/admin-api.js';
import { ROLES, type Role } from '../../src/operators/roles.js';
import type { OperatorActor } from '../../src/operators/operations.js';

/** One request each role may make (the body it needs), to try with every other role. */
const ROUTE_OF_ROLE: Record<Role, [string, string, unknown?]> = {
  operator_admin: ['GET', '/operators'],
  isp_registrar: ['GET', '/isps'],
  account_support: ['POST', '/citizens/state', { cyberspace_id: 'K7M2Q9X4T6W8Z3N5R1H0' }],
  key_custodian: ['GET', '/keys'],
  auditor: ['GET', '/audit/verification'],
  lawful_access_officer: ['GET', '/lawful-access'],
};

describe('admin API: operations', function () {
  this.timeout(240000);
  let app: TestApp;
  let admin: { actor: OperatorActor; operator: TestOperator };
  const clients = new Map<Role, AdminApiClient>();
  const identity = personAged(34, '欧阳明月');
  let subject: string;
  const seen: ApiResponse[] = [];
  const as = (role: Role) => clients.get(role)!;
  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const response = await as(role).call(method, path, { body });
    seen.push(response);
    return response;
  };

  before(async () => {
    app = await startTestApp();
    const root = await bootstrapOperator(app.container);
    admin = { actor: await signIn(app.container, root), operator: root };
    for (const role of ROLES) clients.set(role, await apiAs(app.url, await addOperator(app.container, admin, [role])));
    await app.container.sandboxIdentities.add(identity);
    subject = (await app.container.applications.apply({ ...identity, password: 'a long memorable phrase for the subject' })).cyberspaceId;
  });
  after(async () => app?.stop());

  it('refuses every role outside its operations with 403, and audits each refusal with the operator and request id', async () => {
    for (const role of ROLES) {
      for (const [owner, [method, path, body]] of Object.entries(ROUTE_OF_ROLE)) {
        if (owner === role) continue;
        const response = await call(role, method, path, body);
        assert.equal(response.status, 403, `${role} → ${method} ${path}`);
        assert.equal(response.body.code, 'role_required');
        assert.equal(response.body.required_role, owner);
        const entries = await app.container.audit.latest({ limit: 5 });
        const refusal = entries.find((e) => e.type === 'operator.operation' && e.details.request_id === response.headers['x-request-id']);
        assert.ok(refusal, `the refusal of ${role} → ${path} is audited`);
        assert.equal(refusal.details.status, 'refused');
        assert.equal(refusal.details.reason_code, 'role_required');
        assert.equal(refusal.details.operator_id, as(role).operator!.id);
      }
    }
  });

  it('lets the operator admin create an operator (after a fresh code) and disable one, never themselves', async () => {
    const challenged = await call('operator_admin', 'POST', '/operators', { handle: 'api.support', roles: ['account_support'] });
    assert.equal(challenged.body.code, 'insufficient_user_authentication');
    const badRole = await call('operator_admin', 'POST', '/operators', { handle: 'api.support', roles: ['root'] });
    assert.equal(badRole.status, 400);
    await as('operator_admin').reauthenticate();
    const created = await call('operator_admin', 'POST', '/operators', { handle: 'api.support', roles: ['account_support'] });
    assert.equal(created.status, 201);
    assert.equal(created.body.operator.status, 'enrolling');
    assert.ok(created.body.enrolment_code.length >= 20);
    const listed = await call('operator_admin', 'GET', '/operators');
    assert.ok(listed.body.operators.some((o: { handle: string }) => o.handle === 'api.support'));
    const self = await call('operator_admin', 'POST', `/operators/${as('operator_admin').operator!.id}/disable`);
    assert.equal(self.status, 400);
    assert.equal((await call('operator_admin', 'POST', '/operators/not-a-uuid/disable')).status, 400);
    const disabled = await call('operator_admin', 'POST', `/operators/${created.body.operator.id}/disable`);
    assert.equal(disabled.status, 204);
    assert.equal((await app.container.operators.accounts.find(created.body.operator.id))!.status, 'disabled');
  });

  it('lets the ISP registrar list, show and decide on an ISP, with a reason; a missing reason changes nothing', async () => {
    const isp = await app.container.clients.addClient({ name: 'Shop ISP', redirectUris: ['https://shop.example/callback'] });
    const listed = await call('isp_registrar', 'GET', '/isps');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.isps.find((i: { client_id: string }) => i.client_id === isp.client_id).status, 'submitted');
    assert.ok(!JSON.stringify(listed.body).includes(isp.client_secret!), 'no client secret');

    const noReason = await call('isp_registrar', 'POST', `/isps/${isp.client_id}/decisions`, { decision: 'approve', reason: ' ' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.code, 'invalid_input');
    assert.equal((await app.container.clients.statusOf(isp.client_id)), 'submitted');
    const badDecision = await call('isp_registrar', 'POST', `/isps/${isp.client_id}/decisions`, { decision: 'delete', reason: 'no' });
    assert.equal(badDecision.status, 400);

    const approved = await call('isp_registrar', 'POST', `/isps/${isp.client_id}/decisions`, { decision: 'approve', reason: 'Documents reviewed, case R-7' });
    assert.deepEqual([approved.status, approved.body.status], [200, 'approved']);
    const early = await call('isp_registrar', 'POST', `/isps/${isp.client_id}/decisions`, { decision: 'reactivate', reason: 'too early' });
    assert.equal(early.status, 409);
    const shown = await call('isp_registrar', 'GET', `/isps/${isp.client_id}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.possible_decisions, ['activate']);
    assert.equal(shown.body.decisions.at(-1).reason, 'Documents reviewed, case R-7');
    assert.equal(shown.body.decisions.at(-1).decided_by, as('isp_registrar').operator!.id);
    assert.equal((await call('isp_registrar', 'GET', '/isps/no-such-isp')).status, 404);
  });

  it('lets account support see, suspend and resume an account by cyberspace ID, never identity data', async () => {
    const state = await call('account_support', 'POST', '/citizens/state', { cyberspace_id: subject.toLowerCase() });
    assert.deepEqual(state.body, { cyberspace_id: subject, status: 'active', suspended_by: null });
    const noReason = await call('account_support', 'POST', '/citizens/suspend', { cyberspace_id: subject });
    assert.equal(noReason.status, 400);
    assert.equal((await app.container.citizenQueries.findCitizenByCyberspaceId(subject))!.status, 'active');
    const suspended = await call('account_support', 'POST', '/citizens/suspend', { cyberspace_id: subject, reason: 'Reported misuse, case 12' });
    assert.deepEqual([suspended.status, suspended.body.status, suspended.body.suspended_by], [200, 'suspended', 'operator']);
    const resumed = await call('account_support', 'POST', '/citizens/resume', { cyberspace_id: subject });
    assert.deepEqual([resumed.status, resumed.body.status], [200, 'active']);
    assert.equal((await call('account_support', 'POST', '/citizens/state', { cyberspace_id: 'not an id' })).status, 400);
    const other = await createCitizen(app.container);
    assert.equal((await call('account_support', 'POST', '/citizens/state', { cyberspace_id: other.cyberspace_id })).status, 200);
  });

  it('asks the key custodian for a fresh authenticator code before rotating keys (RFC 9470 challenge)', async () => {
    const keys = await call('key_custodian', 'GET', '/keys');
    assert.ok(keys.body.keys.length >= 4);
    const challenged = await call('key_custodian', 'POST', '/keys/rotation', { activate_after_seconds: 60 });
    assert.equal(challenged.status, 401);
    assert.equal(challenged.body.code, 'insufficient_user_authentication');
    assert.match(challenged.headers['www-authenticate']!, /^DPoP .*error="insufficient_user_authentication".*max_age=300/);
    const tooSoon = await call('key_custodian', 'POST', '/keys/rotation', { activate_after_seconds: 1 });
    assert.equal(tooSoon.status, 400);
    const wrongCode = await as('key_custodian').call('POST', '/session/reauthentication', { body: { code: '000000' } });
    assert.equal(wrongCode.status, 400);
    await as('key_custodian').reauthenticate();
    const rotated = await call('key_custodian', 'POST', '/keys/rotation', {});
    assert.equal(rotated.status, 201);
    assert.equal(rotated.body.kids.length, 4);
    const entry = (await app.container.audit.latest({ limit: 20 })).find((e) => e.type === 'keys.rotated')!;
    assert.equal(entry.details.operator_id, as('key_custodian').operator!.id);
    assert.equal(entry.details.request_id, rotated.headers['x-request-id']);
  });

  it('lets the auditor verify the chains and read the latest entries', async () => {
    const verified = await call('auditor', 'GET', '/audit/verification');
    assert.equal(verified.body.ok, true);
    const entries = await call('auditor', 'GET', '/audit/entries?limit=5');
    assert.equal(entries.body.entries.length, 5);
    assert.equal((await call('auditor', 'GET', '/audit/entries?limit=5000')).status, 400);
  });

  it('refuses one operator doing every lawful-access step alone, and reveals once to two', async () => {
    const [officerA, officerB] = [as('lawful_access_officer'), await apiAs(app.url, await addOperator(app.container, admin, ['lawful_access_officer']))];
    const body = { cyberspace_id: subject, case_reference: 'CASE-2026/0042', authority_code: 'PSB-110105' };
    const challenged = await officerA.call('POST', '/lawful-access', { body });
    assert.equal(challenged.status, 401);
    assert.equal(challenged.body.code, 'insufficient_user_authentication');
    await officerA.reauthenticate();
    const requested = await officerA.call('POST', '/lawful-access', { body });
    assert.equal(requested.status, 201);
    const { id } = requested.body;
    const selfApproval = await officerA.call('POST', `/lawful-access/${id}/approve`);
    assert.equal(selfApproval.status, 403);
    assert.match(selfApproval.body.detail, /must not be the officer who made the request/);
    const earlyReveal = await officerA.call('POST', `/lawful-access/${id}/reveal`);
    assert.equal(earlyReveal.status, 409);
    assert.match(earlyReveal.body.detail, /not been approved/);
    assert.equal((await officerA.call('GET', '/lawful-access?status=pending')).body.requests.some((r: { id: string }) => r.id === id), true);

    await officerB.reauthenticate();
    const approved = await officerB.call('POST', `/lawful-access/${id}/approve`);
    assert.deepEqual([approved.status, approved.body.status, approved.body.approving_officer], [200, 'approved', officerB.operator!.id]);
    const revealed = await officerA.call('POST', `/lawful-access/${id}/reveal`);
    assert.equal(revealed.status, 200);
    assert.equal(revealed.body.identity.name, identity.name);
    assert.equal(revealed.body.identity.document_number, identity.documentNumber);
    assert.equal((await officerB.call('POST', `/lawful-access/${id}/reveal`)).status, 409, 'shown once');
    seen.push(...[challenged, requested, selfApproval, earlyReveal, approved]);
  });

  it('carries no plaintext identity in any response but the reveal, and none in the logs, nor tokens', () => {
    assert.ok(seen.length > 30);
    const needles = [identity.name, identity.documentNumber, identity.birthDate, identity.birthDate.replaceAll('-', '')];
    for (const response of seen) {
      const text = JSON.stringify(response.body) + JSON.stringify(response.headers);
      for (const needle of needles) assert.ok(!text.includes(needle), `a response carries ${needle}`);
    }
    const logs = app.logs.join('');
    for (const needle of [...needles, ...[...clients.values()].map((c) => c.token!)]) assert.ok(!logs.includes(needle), 'the logs carry identity data or a token');
  });
});
