// The operations layer (issue 11): every operation names its role; an operator without it is
// refused, sensitive operations need a fresh authenticator code, and every call is audited with
// the operator, the role used and the request id — in the operation's own entry and in the
// entries the services write meanwhile.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen } from '../support/factories.js';
import { ROLES, type Role } from '../../src/operators/roles.js';
import type { OperatorActor } from '../../src/operators/operations.js';
import type { OperationName } from '../../src/operators/catalogue.js';
import type { ValidationError } from '../../src/errors.js';
import { MIN_KEY_ACTIVATION_SECONDS } from '../../src/oidc/key-reload.js';
import { addOperator, bootstrapOperator, reauthCode, signIn, type TestOperator } from '../support/operators.js';

describe('operator operations', function () {
  this.timeout(120000);
  let app: TestApp;
  let admin: { actor: OperatorActor; operator: TestOperator };
  const holders = new Map<Role, { actor: OperatorActor; operator: TestOperator }>();
  const operations = () => app.container.operators.operations;
  const entries = async () => app.container.audit.latest({ limit: 1000 });

  before(async () => {
    app = await startTestApp();
    const root = await bootstrapOperator(app.container);
    admin = { actor: await signIn(app.container, root), operator: root };
    for (const role of ROLES) {
      const operator = await addOperator(app.container, admin, [role]);
      holders.set(role, { actor: await signIn(app.container, operator), operator });
    }
  });
  after(async () => app?.stop());

  it('refuses every operation to every operator whose one role is not the operation\'s, and audits the refusal', async () => {
    const catalogue = operations().catalogue;
    let refusals = 0;
    for (const role of ROLES) {
      const { actor } = holders.get(role)!;
      for (const name of Object.keys(catalogue) as OperationName[]) {
        if (catalogue[name].role === role) continue;
        await assert.rejects(operations().perform(name, actor, {} as never), { name: 'RoleRequiredError' }, `${role} → ${name}`);
        refusals += 1;
      }
    }
    const refused = (await entries()).filter((e) => e.type === 'operator.operation' && e.details.status === 'refused' && e.details.reason_code === 'role_required');
    assert.equal(refused.length, refusals);
    assert.ok(refused.every((e) => typeof e.details.operator_id === 'string' && typeof e.details.request_id === 'string' && typeof e.details.operation === 'string'));
  });

  it('names a role for every operation, and each role has some', () => {
    const roles = new Set(Object.values(operations().catalogue).map((spec) => spec.role));
    assert.deepEqual([...roles].sort(), [...ROLES].sort());
  });

  it('refuses a sensitive operation without a fresh authenticator code, even to the right role', async () => {
    const custodian = holders.get('key_custodian')!;
    await assert.rejects(operations().perform('keys.rotate', custodian.actor, { activateAfterSeconds: 60 }), { name: 'FormError', fields: { reauth_code: 'required' } });
    await assert.rejects(operations().perform('keys.rotate', custodian.actor, { activateAfterSeconds: 60 }, { reauthCode: '000000' }), { name: 'FormError', fields: { reauth_code: 'invalid_code' } });
    const rotated = await operations().perform('keys.rotate', custodian.actor, { activateAfterSeconds: 60 }, { reauthCode: await reauthCode(custodian) });
    assert.equal(rotated.kids.length, 4);
    const [entry] = (await entries()).filter((e) => e.type === 'keys.rotated');
    assert.equal(entry!.details.operator_id, custodian.operator.id);
    assert.equal(entry!.details.role, 'key_custodian');
    assert.equal(entry!.details.request_id, custodian.actor.requestId);
  });

  it('refuses a key rotation that would sign before every instance reloads keys, whoever asks (issue 9)', async () => {
    const custodian = holders.get('key_custodian')!;
    const before = (await app.container.keys.describeKeys()).length;
    const code = await reauthCode(custodian);
    for (const activateAfterSeconds of [0, MIN_KEY_ACTIVATION_SECONDS - 1]) {
      await assert.rejects(operations().perform('keys.rotate', custodian.actor, { activateAfterSeconds }, { reauthCode: code }),
        (error: ValidationError) => error.name === 'ValidationError' && /at least 30 seconds: every instance reloads keys every 15 s/.test(error.problems.join()));
    }
    assert.equal((await app.container.keys.describeKeys()).length, before, 'no key was added');
  });

  it('lets account support see and change an account state, never identity data, audited with who did it', async () => {
    const support = holders.get('account_support')!;
    const citizen = await createCitizen(app.container);
    const state = await operations().perform('citizens.state', support.actor, { cyberspaceId: citizen.cyberspace_id });
    assert.deepEqual(Object.keys(state).sort(), ['cyberspace_id', 'status', 'suspended_by']);
    const suspended = await operations().perform('citizens.suspend', support.actor, { cyberspaceId: citizen.cyberspace_id, reason: 'Reported misuse, case 12' });
    assert.equal(suspended.status, 'suspended');
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
    const [entry] = await app.container.audit.listForCitizen(row.id, { limit: 1 });
    assert.equal(entry!.type, 'account.suspended');
    assert.equal(entry!.details.operator_id, support.operator.id);
    assert.equal(entry!.details.role, 'account_support');
    assert.equal(entry!.details.request_id, support.actor.requestId);
    assert.equal((await operations().perform('citizens.resume', support.actor, { cyberspaceId: citizen.cyberspace_id })).status, 'active');
    const outcome = (await entries()).find((e) => e.type === 'operator.operation' && e.details.operation === 'citizens.resume')!;
    assert.equal(outcome.details.status, 'ok');
    assert.equal(outcome.citizenId, null, 'the operation entry names no citizen');
  });

  it('lets the ISP registrar take each onboarding decision, with its reason, audited with who took it', async () => {
    const registrar = holders.get('isp_registrar')!;
    const { client_id: clientId } = await app.container.clients.addClient({ name: 'Review ISP', redirectUris: ['https://review.example/cb'] });
    for (const [name, status] of [['isps.approve', 'approved'], ['isps.activate', 'active'], ['isps.suspend', 'suspended'], ['isps.reactivate', 'active']] as const) {
      const result = await operations().perform(name, registrar.actor, { clientId, reason: `review step ${name}` });
      assert.equal(result.status, status);
    }
    await assert.rejects(operations().perform('isps.activate', registrar.actor, { clientId, reason: 'again' }), { name: 'ConflictError' });
    const suspended = (await entries()).find((e) => e.type === 'client.suspended' && e.clientId === clientId)!;
    assert.equal(suspended.details.operator_id, registrar.operator.id);
    assert.equal(suspended.details.role, 'isp_registrar');
    assert.equal(suspended.details.request_id, registrar.actor.requestId);
    const history = await operations().perform('isps.history', registrar.actor, { clientId });
    assert.deepEqual(history.map((d) => d.decided_by), [registrar.operator.id, registrar.operator.id, registrar.operator.id, registrar.operator.id]);
  });

  it('records a failed operation as failed', async () => {
    const support = holders.get('account_support')!;
    await assert.rejects(operations().perform('citizens.suspend', support.actor, { cyberspaceId: 'not an id', reason: 'x' }), { name: 'NotFoundError' });
    const outcome = (await entries()).find((e) => e.type === 'operator.operation' && e.details.operation === 'citizens.suspend')!;
    assert.equal(outcome.details.status, 'failed');
    assert.equal(outcome.details.reason_code, 'not_found');
  });

  it('keeps the audit log verifiable', async () => {
    const result = await app.container.audit.verify();
    assert.equal(result.ok, true, JSON.stringify(result));
  });
});
