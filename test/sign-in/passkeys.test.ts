// Passkeys (issue 7): the ceremonies against real PostgreSQL and Redis with a software
// authenticator. Each test breaks one rule a relying party must keep (WebAuthn §7) and checks
// that the sign-in is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { createPasskeys } from '../../src/sign-in/passkeys.js';
import { createPasskeyQueries } from '../../src/queries/passkeys.js';
import { ACR_PASSKEY } from '../../src/sign-in/acr.js';
import type { Attempt } from '../../src/sign-in/sequence.js';
import type { CitizenRow } from '../../src/queries/citizens.js';

describe('passkeys', () => {
  let app: TestApp;
  let citizen: CitizenRow;
  const binding = () => randomBytes(16).toString('base64url');
  const attemptFor = (key: string): Attempt => ({ channel: 'isp', key, address: '192.0.2.7', device: { description: 'test' } });
  const authenticator = () => new SoftAuthenticator({ origin: app.container.passkeys.origin, rpID: app.container.passkeys.rpID });

  async function registered(name = 'Laptop') {
    const soft = authenticator();
    const key = binding();
    const options = await app.container.passkeys.registrationOptions(citizen, key);
    const result = await app.container.passkeys.register(citizen, key, soft.register(options), name);
    assert.equal(result.ok, true, JSON.stringify(result));
    return soft;
  }
  async function signInWith(soft: SoftAuthenticator, override: Parameters<SoftAuthenticator['assert']>[1] = {}) {
    const key = binding();
    const { challenge } = await app.container.passkeys.authenticationOptions(key);
    return app.container.signIn.begin(attemptFor(key), 'passkey', { binding: key, response: soft.assert(challenge, override) });
  }

  before(async () => {
    app = await startTestApp();
    const { cyberspace_id } = await createCitizen(app.container);
    citizen = (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspace_id))!;
  });
  after(async () => app.stop());

  it('RP ID and origin come from ISSUER', () => {
    const issuer = new URL(app.container.config.issuer);
    assert.equal(app.container.passkeys.rpID, issuer.hostname);
    assert.equal(app.container.passkeys.origin, issuer.origin);
  });

  it('a registered passkey signs in without a cyberspace ID: substantial, hwk + user', async () => {
    const soft = await registered();
    const step = await signInWith(soft);
    assert.equal(step.step, 'done');
    if (step.step !== 'done') return;
    assert.equal(step.citizen.id, citizen.id);
    assert.equal(step.acr, ACR_PASSKEY);
    assert.deepEqual(step.amr, ['hwk', 'user']);
    const [stored] = (await app.container.passkeys.list(citizen.id)).filter((p) => p.id === soft.id);
    assert.ok(stored?.lastUsedAt, 'last use recorded');
  });

  it('a synced (backup-eligible) passkey says swk', async () => {
    const soft = new SoftAuthenticator({ origin: app.container.passkeys.origin, rpID: app.container.passkeys.rpID, backupEligible: true });
    const key = binding();
    const options = await app.container.passkeys.registrationOptions(citizen, key);
    assert.equal((await app.container.passkeys.register(citizen, key, soft.register(options), 'Phone')).ok, true);
    const step = await signInWith(soft);
    assert.equal(step.step, 'done');
    if (step.step === 'done') assert.deepEqual(step.amr, ['swk', 'user']);
  });

  it('a challenge answers once: the same response replayed is refused', async () => {
    const soft = await registered();
    const key = binding();
    const { challenge } = await app.container.passkeys.authenticationOptions(key);
    const response = soft.assert(challenge);
    assert.equal((await app.container.signIn.begin(attemptFor(key), 'passkey', { binding: key, response })).step, 'done');
    const replay = await app.container.signIn.begin(attemptFor(key), 'passkey', { binding: key, response });
    assert.deepEqual(replay, { step: 'failed', reason: 'expired' });
  });

  it('a challenge is bound to its interaction: another binding cannot use it', async () => {
    const soft = await registered();
    const key = binding();
    const { challenge } = await app.container.passkeys.authenticationOptions(key);
    const other = binding();
    const step = await app.container.signIn.begin(attemptFor(other), 'passkey', { binding: other, response: soft.assert(challenge) });
    assert.equal(step.step, 'failed');
  });

  it('an expired challenge is refused', async () => {
    const soft = await registered();
    const quick = createPasskeys({ queries: createPasskeyQueries(app.container.db.knex), store: app.container.ephemeral, issuer: app.container.config.issuer, userHandleSecret: randomBytes(32), challengeSeconds: 1, events: app.container.accountEvents });
    const key = binding();
    const { challenge } = await quick.authenticationOptions(key);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.deepEqual(await quick.authenticate(key, soft.assert(challenge)), { ok: false, reason: 'expired' });
  });

  it('a response made for another origin or RP ID is refused', async () => {
    const soft = await registered();
    for (const override of [{ origin: 'https://cyberspace-id.example.net' }, { rpID: 'cyberspace-id.example.net' }]) {
      const step = await signInWith(soft, override);
      assert.deepEqual(step, { step: 'failed', reason: 'invalid_credentials' }, JSON.stringify(override));
    }
    const key = binding();
    const options = await app.container.passkeys.registrationOptions(citizen, key);
    const result = await app.container.passkeys.register(citizen, key, authenticator().register(options, { origin: 'https://evil.example' }), 'x');
    assert.equal(result.ok, false);
  });

  it('a counter that does not grow (a cloned authenticator) is refused', async () => {
    const soft = await registered();
    assert.equal((await signInWith(soft, { counter: 5 })).step, 'done');
    assert.deepEqual(await signInWith(soft, { counter: 5 }), { step: 'failed', reason: 'invalid_credentials' });
    assert.deepEqual(await signInWith(soft, { counter: 3 }), { step: 'failed', reason: 'invalid_credentials' });
    assert.equal((await signInWith(soft, { counter: 6 })).step, 'done');
  });

  it('an assertion without user verification is refused', async () => {
    const soft = await registered();
    assert.deepEqual(await signInWith(soft, { userVerified: false }), { step: 'failed', reason: 'invalid_credentials' });
  });

  it('passkeys are named by their owner, renamed, and removed; a removed one no longer signs in', async () => {
    const soft = await registered('  Work\u0000 key\n  ');
    const summary = (await app.container.passkeys.list(citizen.id)).find((p) => p.id === soft.id)!;
    assert.equal(summary.name, 'Work key');
    assert.ok(summary.createdAt instanceof Date);
    assert.equal(await app.container.passkeys.rename(citizen.id, soft.id, '办公室钥匙'), true);
    assert.equal((await app.container.passkeys.list(citizen.id)).find((p) => p.id === soft.id)!.name, '办公室钥匙');
    assert.equal(await app.container.passkeys.rename(citizen.id, soft.id, '   '), false, 'an empty name is refused');
    assert.equal(await app.container.passkeys.remove('00000000-0000-4000-8000-000000000000', soft.id), false, 'only the owner removes it');
    assert.equal(await app.container.passkeys.remove(citizen.id, soft.id), true);
    assert.equal((await app.container.passkeys.list(citizen.id)).some((p) => p.id === soft.id), false);
    assert.deepEqual(await signInWith(soft), { step: 'failed', reason: 'invalid_credentials' });
  });

  it('stores no personal data: the row and the challenge name the citizen only by internal id', async () => {
    const soft = await registered();
    const key = binding();
    await app.container.passkeys.authenticationOptions(key);
    const row = await app.container.db.knex('passkeys').where({ credential_id: soft.id }).first();
    const stored = JSON.stringify(row);
    assert.ok(!stored.includes(citizen.cyberspace_id), 'no cyberspace ID in the passkeys table');
    assert.deepEqual(Object.keys(row).sort(), ['backed_up', 'backup_eligible', 'citizen_id', 'created_at', 'credential_id', 'device_type', 'last_used_at', 'name', 'public_key', 'sign_count', 'transports']);
    // The user handle given to authenticators is keyed, not the internal id or cyberspace ID.
    const options = await app.container.passkeys.registrationOptions(citizen, binding());
    const handle = Buffer.from(options.user.id, 'base64url').toString('latin1');
    assert.ok(!handle.includes(citizen.id) && !handle.includes(citizen.cyberspace_id));
  });
});
