// Four eyes that are really two people (issue 11): request, approval and reveal are steps of
// signed-in lawful-access officers through the operations layer, each re-authenticated; the
// approver is a different operator account than the requester (by id: a second session or a
// second name does not make a second person); the reveal is once and within a time limit.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen } from '../support/factories.js';
import type { OperatorActor } from '../../src/operators/operations.js';
import { addOperator, bootstrapOperator, reauthCode, signIn, type TestOperator } from '../support/operators.js';

type Officer = { actor: OperatorActor; operator: TestOperator };

describe('lawful access: four eyes, two people', function () {
  this.timeout(120000);
  let app: TestApp;
  let root: Officer;
  let second: Officer;
  let citizen: { cyberspace_id: string };
  const ops = () => app.container.operators.operations;
  const request = async (who: Officer, caseReference: string) =>
    (await ops().perform('lawful_access.request', who.actor, { cyberspaceId: citizen.cyberspace_id, caseReference, authorityCode: 'PSB-110105' }, { reauthCode: await reauthCode(who) })).id;

  before(async () => {
    app = await startTestApp({ configure: (config) => (config.operators.lawfulAccessRevealSeconds = 2) });
    const rootOperator = await bootstrapOperator(app.container);
    root = { actor: await signIn(app.container, rootOperator), operator: rootOperator };
    const officer = await addOperator(app.container, root, ['lawful_access_officer']);
    second = { actor: await signIn(app.container, officer), operator: officer };
    citizen = await createCitizen(app.container);
  });
  after(async () => app?.stop());

  it('refuses one operator trying every step alone, even with every role and a second session', async () => {
    const id = await request(root, 'ALONE-1');
    await assert.rejects(ops().perform('lawful_access.reveal', root.actor, { id }), { name: 'ConflictError', message: /not been approved/ });
    await assert.rejects(ops().perform('lawful_access.approve', root.actor, { id }), { name: 'ForbiddenError', message: /must not be the officer who made the request/ });
    const again = { actor: await signIn(app.container, root.operator), operator: root.operator };
    await assert.rejects(ops().perform('lawful_access.approve', again.actor, { id }, { reauthCode: await reauthCode(again) }), { name: 'ForbiddenError' });
    await assert.rejects(ops().perform('lawful_access.reveal', again.actor, { id }), { name: 'ConflictError' });
    const row = await app.container.db.knex('lawful_access_requests').where({ id }).first();
    assert.equal(row.status, 'pending');
    assert.equal(row.requesting_officer, root.operator.id);
  });

  it('needs re-authentication for each of request, approval and reveal', async () => {
    const fresh = { actor: await signIn(app.container, second.operator), operator: second.operator };
    await assert.rejects(ops().perform('lawful_access.request', fresh.actor, { cyberspaceId: citizen.cyberspace_id, caseReference: 'REAUTH-1', authorityCode: 'PSB-110105' }), { name: 'FormError', fields: { reauth_code: 'required' } });
    const id = await request(root, 'REAUTH-2');
    await assert.rejects(ops().perform('lawful_access.approve', fresh.actor, { id }), { name: 'FormError', fields: { reauth_code: 'required' } });
    assert.equal((await app.container.db.knex('lawful_access_requests').where({ id }).first()).status, 'pending');
  });

  it('reveals to the requester once a second officer approved, once, every step audited with operator, role and request', async () => {
    const id = await request(root, 'PAIR-1');
    await ops().perform('lawful_access.approve', second.actor, { id }, { reauthCode: await reauthCode(second) });
    const disclosure = await ops().perform('lawful_access.reveal', root.actor, { id });
    assert.equal(disclosure.cyberspace_id, citizen.cyberspace_id);
    await assert.rejects(ops().perform('lawful_access.reveal', second.actor, { id }), { name: 'ConflictError', message: /revealed/ });
    // (A test citizen has no identity data, so nothing is decrypted: no identity.decrypted entry.)
    const steps = (await app.container.audit.latest({ limit: 1000 })).filter((e) => e.details.lawful_access_id === id).reverse();
    assert.deepEqual(steps.map((e) => e.type), ['lawful_access.requested', 'lawful_access.approved', 'lawful_access.revealed']);
    assert.deepEqual(steps.map((e) => e.details.operator_id), [root.operator.id, second.operator.id, root.operator.id]);
    assert.ok(steps.every((e) => e.details.role === 'lawful_access_officer' && typeof e.details.request_id === 'string'));
  });

  it('refuses a reveal after the approval\'s time limit', async () => {
    const id = await request(root, 'LATE-1');
    await ops().perform('lawful_access.approve', second.actor, { id });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await assert.rejects(ops().perform('lawful_access.reveal', root.actor, { id }), { name: 'ConflictError', message: /expired/ });
    assert.equal((await app.container.db.knex('lawful_access_requests').where({ id }).first()).status, 'approved');
  });

  it('refuses, in the database itself, a ledger row naming officers that are no operator accounts', async () => {
    const knex = app.container.db.knex;
    const citizenId = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!.id;
    const row = { id: '6f1c3a2e-0000-4000-8000-000000000001', citizen_id: citizenId, subject_kind: 'cyberspace_id', case_reference: 'FORGED-1', authority_code: 'PSB-110105' };
    await assert.rejects(knex('lawful_access_requests').insert({ ...row, requesting_officer: 'badge.1001' }), /not an active operator/);
    const auditor = await addOperator(app.container, root, ['auditor']);
    await assert.rejects(knex('lawful_access_requests').insert({ ...row, requesting_officer: auditor.id }), /not an active operator/, 'an operator without the role');
    const id = await request(root, 'FORGED-2');
    await assert.rejects(knex('lawful_access_requests').where({ id }).update({ status: 'approved', approving_officer: 'badge.2002', approved_at: knex.fn.now() }), /not an active operator/);
    assert.equal((await knex('lawful_access_requests').where({ id }).first()).status, 'pending');
  });

  it('refuses lawful-access steps to an operator without the role', async () => {
    const auditor = await addOperator(app.container, root, ['auditor']);
    const actor = await signIn(app.container, auditor);
    await assert.rejects(ops().perform('lawful_access.request', actor, { cyberspaceId: citizen.cyberspace_id, caseReference: 'NOROLE-1', authorityCode: 'PSB-110105' }), { name: 'RoleRequiredError' });
    await assert.rejects(ops().perform('lawful_access.list', actor, {}), { name: 'RoleRequiredError' });
  });
});
