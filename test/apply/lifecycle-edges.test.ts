// Edges of the account lifecycle: recovery is rate limited, cancellation forgets connection
// records, and a minor still waiting for a guardian when they turn 18 needs nobody's approval.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { signIn } from '../support/flow.js';
import { beijingMidnight, personAged } from '../support/identities.js';
import { FormError } from '../../src/errors.js';
import { createGuardianship } from '../../src/services/guardianship.js';
import { adultWithIdentity, confirmGuardianOf } from '../support/guardians.js';
import { createConnectionQueries } from '../../src/queries/connections.js';
import { passwordSignIn } from '../support/sign-in.js';

describe('account lifecycle edges', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('limits password recovery attempts per cyberspace ID, even with the right details afterwards', async () => {
    const person = personAged(30, '恢复测试');
    await app.container.sandboxIdentities.add(person);
    const applied = await app.container.applications.apply({ ...person, password: 'first long phrase here' });
    const attempt = (name: string) => app.container.recovery.recover({
      cyberspaceId: applied.cyberspaceId, documentType: person.documentType, documentNumber: person.documentNumber,
      name, birthDate: person.birthDate, newPassword: 'second long phrase here',
    });
    const limit = app.container.config.rateLimit.loginAttemptsPerWindow;
    for (let i = 0; i < limit; i += 1) {
      await assert.rejects(attempt('别人'), (error: unknown) => error instanceof FormError && error.fields.identity === 'recovery_mismatch');
    }
    await assert.rejects(attempt(person.name), (error: unknown) => error instanceof FormError && error.fields.cyberspace_id === 'throttled');
    const signIn = await passwordSignIn(app.container.signIn, applied.cyberspaceId, 'first long phrase here');
    assert.equal(signIn.step, 'done', 'the password was not changed');
  });

  it('forgets the citizen\'s connection records when the cyberspace ID is cancelled', async () => {
    const client = await createClient(app.container, { name: 'Forgotten ISP' });
    const created = await app.container.citizens.createTestCitizen();
    await signIn(app.url, client, created);
    assert.equal((await app.container.connections.list(created.citizen)).length, 1);
    await app.container.lifecycle.cancel(created.citizen, created.password);
    const rows = await app.container.db.knex('connections').where({ citizen_id: created.citizen.id });
    assert.deepEqual(rows, []);
  });

  it('activates a minor who turns 18 while still waiting for their guardian', async () => {
    const guardian = await adultWithIdentity(app.container);
    const minor = personAged(17, '待批准');
    await confirmGuardianOf(app.container, guardian, minor);
    const applied = await app.container.applications.apply({ ...minor, password: 'minor long phrase', guardianCyberspaceId: guardian.cyberspace_id });
    assert.equal(applied.status, 'pending_guardian');
    const eighteenth = `${Number(minor.birthDate.slice(0, 4)) + 18}${minor.birthDate.slice(4)}`;
    const guardianship = createGuardianship({
      citizens: app.container.citizenQueries,
      connections: createConnectionQueries(app.container.db.knex),
      connectionService: app.container.connections,
      vault: app.container.vault,
      authority: app.container.identityAuthority,
      transaction: (work) => app.container.db.knex.transaction(work),
      now: () => beijingMidnight(eighteenth),
    });
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(applied.cyberspaceId))!;
    assert.equal(await guardianship.linkActive(row), false);
    const after = (await app.container.citizenQueries.findCitizenByCyberspaceId(applied.cyberspaceId))!;
    assert.equal(after.status, 'active');
    assert.equal(after.guardian_id, null);
  });
});
