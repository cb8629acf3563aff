// `npm start` in development (src/demo/seed.ts): the first start loads the documented sandbox
// identities, so they can apply at once; later starts leave the sandbox alone; the demo citizen
// has a birth date, so scope `age` yields age_over_* claims for it.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createClient } from '../support/factories.js';
import { signIn } from '../support/flow.js';
import { idTokenClaims, redeem } from '../support/tokens.js';
import { SANDBOX_SEED_IDENTITIES } from '../../src/identity-authority/sandbox-seed.js';

describe('the development seed', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('first start: the documented sandbox identities are there, and the demo citizen has a birth date', async () => {
    const [first] = SANDBOX_SEED_IDENTITIES;
    assert.equal(await app.container.sandboxIdentities.holds(first!.documentType, first!.documentNumber), false, 'control: empty before');
    const demo = await seedDemo(app.container);
    for (const identity of SANDBOX_SEED_IDENTITIES) {
      assert.ok(await app.container.sandboxIdentities.holds(identity.documentType, identity.documentNumber), `${identity.purpose} is seeded`);
    }
    const client = await createClient(app.container, { scope: 'openid age' });
    const tokens = await redeem(app.url, client, await signIn(app.url, client, demo, { params: { scope: 'openid age' } }));
    assert.equal(idTokenClaims(tokens).age_over_18, true, 'the demo citizen is an adult with a birth date');
    assert.deepEqual(await seedDemo(app.container), demo, 'a later start reuses the saved demo');
  });
});
