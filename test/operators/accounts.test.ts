// Operators are their own accounts (issue 11): bootstrapped once, enrolled with both factors,
// signing in with password and authenticator code together, in short sessions.
import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { runCommand } from '../../src/cli/registry.js';
import type { OperatorActor } from '../../src/operators/operations.js';
import { OPERATOR_PASSWORD, addOperator, bootstrapOperator, codeFor, enrol, freshCode, reauthCode, signIn, uniqueHandle, type TestOperator } from '../support/operators.js';

describe('operator accounts', function () {
  this.timeout(120000);
  let app: TestApp;
  let root: TestOperator;
  let admin: { actor: OperatorActor; operator: TestOperator };
  const accounts = () => app.container.operators.accounts;
  const auth = () => app.container.operators.authentication;
  const latest = async (type: string) => (await app.container.audit.latest({ limit: 1000 })).filter((e) => e.type === type);

  before(async () => (app = await startTestApp()));
  after(async () => app?.stop());

  describe('cyberid operator bootstrap', () => {
    it('creates the first operator with every role and a one-time enrolment code, recording the shell user and host', async () => {
      const handle = uniqueHandle('root');
      const result = await runCommand(app.container, ['operator', 'bootstrap', '--handle', handle, '--json'], { os_user: 'alice', host: 'ops-1.example' });
      assert.equal(result.exitCode ?? 0, 0, result.output);
      const created = JSON.parse(result.output) as { operator: { id: string; roles: TestOperator['roles']; status: string }; enrolment_code: string; enrol_url: string };
      assert.deepEqual([...created.operator.roles].sort(), ['account_support', 'auditor', 'isp_registrar', 'key_custodian', 'lawful_access_officer', 'operator_admin']);
      assert.equal(created.operator.status, 'enrolling');
      assert.match(created.enrol_url, /\/admin\/enrol$/);
      const [entry] = await latest('operator.bootstrapped');
      assert.equal(entry!.details.target_operator_id, created.operator.id);
      assert.equal(entry!.details.os_user, 'alice');
      assert.equal(entry!.details.host, 'ops-1.example');
      const row = await app.container.db.knex('operators').where({ id: created.operator.id }).first();
      assert.ok(!JSON.stringify(row).includes(created.enrolment_code), 'only a digest of the code is stored');
      const { secret, used } = await enrol(app.container, handle, created.enrolment_code);
      root = { id: created.operator.id, handle, password: OPERATOR_PASSWORD, secret, used, roles: created.operator.roles };
      admin = { actor: await signIn(app.container, root), operator: root };
    });

    it('works only once, even after the first operator is disabled, and under a race', async () => {
      const again = await runCommand(app.container, ['operator', 'bootstrap', '--handle', uniqueHandle('root')]);
      assert.equal(again.exitCode, 1);
      assert.match(again.output, /bootstrapped already/);
      await app.container.db.knex('operators').where({ id: root.id }).update({ status: 'disabled' });
      await assert.rejects(accounts().bootstrap({ handle: uniqueHandle('root') }), { name: 'ConflictError' });
      await app.container.db.knex('operators').where({ id: root.id }).update({ status: 'active' });
      const concurrent = await Promise.allSettled([1, 2, 3].map(() => accounts().bootstrap({ handle: uniqueHandle('root') })));
      assert.ok(concurrent.every((r) => r.status === 'rejected'));
      assert.equal(Number((await app.container.db.knex('operator_bootstrap').count<{ c: string }[]>('* as c'))[0]!.c), 1);
    });

    it('records the shell user and host of a migration too', async () => {
      const result = await runCommand(app.container, ['migrate'], { os_user: 'bob', host: 'ops-2' });
      assert.equal(result.exitCode ?? 0, 0, result.output);
      const [entry] = await latest('database.migrated');
      assert.equal(entry!.details.os_user, 'bob');
      assert.equal(entry!.details.host, 'ops-2');
      // By default the CLI names the real account it runs under.
      await runCommand(app.container, ['migrate']);
      const [own] = await latest('database.migrated');
      assert.equal(own!.details.os_user, userInfo().username.replace(/[^A-Za-z0-9._@-]/g, '_'));
      assert.equal(own!.details.host, hostname().replace(/[^A-Za-z0-9._@-]/g, '_'));
    });
  });

  describe('enrolment', () => {
    it('refuses a wrong code, a reused code and a weak password, and activates only with an authenticator code', async () => {
      const handle = uniqueHandle('aud');
      const { enrolment_code: code } = await app.container.operators.operations.perform('operators.create', admin.actor, { handle, roles: ['auditor'] }, { reauthCode: await reauthCode(admin) });
      await assert.rejects(accounts().beginEnrolment({ handle, code: `${code}x`, password: OPERATOR_PASSWORD }), { name: 'FormError', fields: { code: 'invalid_enrolment' } });
      await assert.rejects(accounts().beginEnrolment({ handle, code, password: 'short pass' }), { name: 'FormError', fields: { password: 'too_short' } });
      await assert.rejects(accounts().beginEnrolment({ handle, code, password: handle }), { name: 'FormError' });
      const { token, secret } = await accounts().beginEnrolment({ handle, code, password: OPERATOR_PASSWORD });
      assert.equal((await accounts().findByHandle(handle))!.status, 'enrolling', 'nothing changes before the authenticator is confirmed');
      await assert.rejects(accounts().completeEnrolment(token, '000000'), { name: 'FormError' });
      await accounts().completeEnrolment(token, await freshCode({ id: 'x', handle, password: '', secret, roles: [] }));
      assert.equal((await accounts().findByHandle(handle))!.status, 'active');
      await assert.rejects(accounts().beginEnrolment({ handle, code, password: OPERATOR_PASSWORD }), { name: 'FormError', fields: { code: 'invalid_enrolment' } }, 'the code is spent');
    });

    it('refuses handles that look like names and unknown roles', async () => {
      for (const input of [{ handle: 'Zhang Wei', roles: ['auditor'] }, { handle: '张伟', roles: ['auditor'] }, { handle: uniqueHandle(), roles: ['superuser'] }, { handle: uniqueHandle(), roles: [] }]) {
        await assert.rejects(app.container.operators.operations.perform('operators.create', admin.actor, input), { name: 'ValidationError' }, JSON.stringify(input));
      }
    });
  });

  describe('sign-in', () => {
    let auditor: TestOperator;
    before(async () => (auditor = await addOperator(app.container, admin, ['auditor'])));

    it('refuses a sign-in without the authenticator code, or with a wrong password, with one answer', async () => {
      const base = { handle: auditor.handle, password: auditor.password, address: '10.0.0.1' };
      await assert.rejects(auth().signIn({ ...base, code: '' }), { name: 'FormError', fields: { sign_in: 'invalid' } });
      await assert.rejects(auth().signIn({ ...base, code: '123456' }), { name: 'FormError', fields: { sign_in: 'invalid' } });
      await assert.rejects(auth().signIn({ ...base, password: 'wrong password entirely', code: codeFor(auditor.secret) }), { name: 'FormError', fields: { sign_in: 'invalid' } });
      await assert.rejects(auth().signIn({ ...base, handle: 'nobody-here', code: codeFor(auditor.secret) }), { name: 'FormError', fields: { sign_in: 'invalid' } });
      const failures = await latest('operator.sign_in_failed');
      assert.ok(failures.some((e) => e.details.reason_code === 'invalid_code' && e.details.target_operator_id === auditor.id));
      assert.ok(failures.some((e) => e.details.reason_code === 'invalid_credentials' && e.details.target_operator_id === auditor.id));
      const code = await freshCode(auditor);
      const { token } = await auth().signIn({ ...base, code });
      assert.equal((await auth().session(token))!.operator.id, auditor.id);
      await assert.rejects(auth().signIn({ ...base, code }), { name: 'FormError' }, 'a code works once');
    });

    it('limits attempts per handle before checking anything', async () => {
      const target = await addOperator(app.container, admin, ['auditor']);
      for (let i = 0; i < 5; i += 1) {
        await assert.rejects(auth().signIn({ handle: target.handle, password: 'wrong password entirely', code: '000000', address: `10.1.0.${i}` }), { fields: { sign_in: 'invalid' } });
      }
      await assert.rejects(auth().signIn({ handle: target.handle, password: target.password, code: await freshCode(target), address: '10.1.0.9' }), { fields: { sign_in: 'throttled' } });
    });

    it('limits attempts per client address too, whatever handles it tries', async () => {
      const limited = await startTestApp({ configure: (config) => Object.assign(config.operators, { signInAttemptsPerAddress: 3 }) });
      try {
        const operator = await bootstrapOperator(limited.container);
        for (let i = 0; i < 3; i += 1) {
          await assert.rejects(limited.container.operators.authentication.signIn({ handle: `guess-${i}`, password: 'wrong password entirely', code: '000000', address: '198.51.100.7' }), { fields: { sign_in: 'invalid' } });
        }
        await assert.rejects(limited.container.operators.authentication.signIn({ handle: operator.handle, password: operator.password, code: await freshCode(operator), address: '198.51.100.7' }), { fields: { sign_in: 'throttled' } });
        const { token } = await limited.container.operators.authentication.signIn({ handle: operator.handle, password: operator.password, code: await freshCode(operator), address: '198.51.100.8' });
        assert.ok(await limited.container.operators.authentication.session(token), 'another address is not held back');
      } finally {
        await limited.stop();
      }
    });

    it('ends the sessions of a disabled operator at once', async () => {
      const target = await addOperator(app.container, admin, ['auditor']);
      const session = await signIn(app.container, target);
      await app.container.operators.operations.perform('operators.disable', admin.actor, { operatorId: target.id }, { reauthCode: await reauthCode(admin) });
      assert.equal(await auth().session(session.token), undefined);
      await assert.rejects(app.container.operators.operations.perform('audit.verify', session, {}), { name: 'ForbiddenError' });
      await assert.rejects(auth().signIn({ handle: target.handle, password: target.password, code: await freshCode(target), address: '10.2.0.1' }), { fields: { sign_in: 'invalid' } });
    });
  });

  describe('a lost authenticator', () => {
    it('gets a new enrolment code from another operator admin, which ends the old factors and sessions', async () => {
      const lost = await addOperator(app.container, admin, ['auditor']);
      const session = await signIn(app.container, lost);
      await assert.rejects(app.container.operators.operations.perform('operators.reenrol', admin.actor, { operatorId: admin.operator.id }), { name: 'ValidationError' }, 'not for oneself');
      const enrolment = await app.container.operators.operations.perform('operators.reenrol', admin.actor, { operatorId: lost.id }, { reauthCode: await reauthCode(admin) });
      assert.equal(await auth().session(session.token), undefined, 'signed out');
      await assert.rejects(auth().signIn({ handle: lost.handle, password: lost.password, code: await freshCode(lost), address: '10.3.0.1' }), { fields: { sign_in: 'invalid' } });
      // (Codes are single-use per operator and time step, whichever secret made them: a step not used yet.)
      const { token, secret } = await accounts().beginEnrolment({ handle: lost.handle, code: enrolment.enrolment_code, password: 'a new operator passphrase' });
      assert.notEqual(secret, lost.secret);
      await accounts().completeEnrolment(token, await freshCode({ ...lost, secret }));
      const [entry] = await latest('operator.enrolment_reissued');
      assert.equal(entry!.details.target_operator_id, lost.id);
      assert.equal(entry!.details.operator_id, admin.operator.id);
    });

    it('break-glass from the shell works only when no operator admin is left active', async () => {
      const refused = await runCommand(app.container, ['operator', 'break-glass', '--handle', 'glass.one'], { os_user: 'carol', host: 'ops-3' });
      assert.equal(refused.exitCode, 1);
      assert.match(refused.output, /an active operator_admin exists/);
      const knex = app.container.db.knex;
      const admins = await knex('operators').where({ status: 'active' }).whereRaw("'operator_admin' = ANY (roles)").pluck('id');
      await knex('operators').whereIn('id', admins).update({ status: 'disabled' });
      try {
        const result = await runCommand(app.container, ['operator', 'break-glass', '--handle', 'glass.one', '--json'], { os_user: 'carol', host: 'ops-3' });
        assert.equal(result.exitCode ?? 0, 0, result.output);
        const created = JSON.parse(result.output) as { operator: { id: string; roles: string[] }; enrolment_code: string };
        assert.deepEqual(created.operator.roles, ['operator_admin'], 'that one role; it grants the others');
        const [entry] = await latest('operator.break_glass');
        assert.equal(entry!.details.target_operator_id, created.operator.id);
        assert.equal(entry!.details.os_user, 'carol');
        assert.equal(entry!.details.host, 'ops-3');
      } finally {
        await knex('operators').whereIn('id', admins).update({ status: 'active' });
      }
    });
  });

  describe('session lifetime', () => {
    let short: TestApp;
    let operator: TestOperator;
    before(async () => {
      short = await startTestApp({ configure: (config) => Object.assign(config.operators, { sessionIdleSeconds: 2, sessionAbsoluteSeconds: 4, enrolmentSeconds: 1 }) });
      // Bootstrapped before the (1-second) enrolment window can pass.
      operator = await bootstrapOperator(short.container);
    });

    it('ends a session after the idle timeout, and after the absolute lifetime however busy', async () => {
      const idle = await signIn(short.container, operator);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(await short.container.operators.authentication.session(idle.token), undefined, 'idle for longer than the timeout');

      const busy = await signIn(short.container, operator);
      for (let i = 0; i < 4; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 800));
        assert.ok(await short.container.operators.authentication.session(busy.token), 'renewed by use');
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(await short.container.operators.authentication.session(busy.token), undefined, 'past the absolute lifetime');
    });

    it('refuses an enrolment code past its expiry', async () => {
      const handle = uniqueHandle('late');
      const { enrolment_code: code } = await short.container.operators.accounts.create(operator.id, { handle, roles: ['auditor'] });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await assert.rejects(short.container.operators.accounts.beginEnrolment({ handle, code, password: OPERATOR_PASSWORD }), { name: 'FormError', fields: { code: 'invalid_enrolment' } });
    });
    after(async () => short?.stop());
  });
});
