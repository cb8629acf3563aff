// A lawful access becomes visible in its subject's activity once the embargo has passed, and
// not before.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { addOperator, bootstrapOperator, signIn } from '../support/operators.js';

describe('lawful access on the citizen dashboard', () => {
  let app: TestApp;
  let officers: [string, string];
  before(async () => {
    app = await startTestApp();
    const root = await bootstrapOperator(app.container);
    const admin = { actor: await signIn(app.container, root), operator: root };
    const first = await addOperator(app.container, admin, ['lawful_access_officer']);
    const second = await addOperator(app.container, admin, ['lawful_access_officer']);
    officers = [first.id, second.id];
  });
  after(async () => app.stop());

  async function revealed(cyberspaceId: string, caseReference: string, embargoUntil?: string) {
    const { id } = await app.container.lawfulAccess.request({
      cyberspaceId, caseReference, authorityCode: 'PSB-110000', officer: officers[0], ...(embargoUntil ? { embargoUntil } : {}),
    });
    await app.container.lawfulAccess.approve(id, officers[1]);
    await app.container.lawfulAccess.reveal(id, officers[0]);
  }

  it('shows a revealed access without embargo, and hides one whose embargo has not passed', async () => {
    const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1985-06-01' });
    await revealed(citizen.cyberspace_id, 'CASE-2026-0001');
    await revealed(citizen.cyberspace_id, 'CASE-2026-0002', '2999-01-01');
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const activity = await browser.navigate('/account/activity');
    assert.ok(isPage(activity));
    assert.equal(activity.status, 200);
    assert.match(activity.html, /CASE-2026-0001/);
    assert.doesNotMatch(activity.html, /CASE-2026-0002/);
  });
});
