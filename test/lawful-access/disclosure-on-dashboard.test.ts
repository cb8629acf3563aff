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

  it('tells the subject by email/SMS once the embargo has passed, once, and never the case', async () => {
    const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1985-06-02' });
    await revealed(citizen.cyberspace_id, 'CASE-2026-0003');
    await revealed(citizen.cyberspace_id, 'CASE-2026-0004', '2999-01-01');
    const notices = () => app.container.db.knex('notification_outbox').where({ citizen_id: citizen.citizen.id, kind: 'lawful_access_disclosed' });
    assert.equal((await notices()).length, 0, 'nothing before the job runs');
    await app.container.disclosureNotices.notifyEndedEmbargoes();
    await app.container.disclosureNotices.notifyEndedEmbargoes(); // the next hour: nothing new
    const queued = await notices();
    assert.equal(queued.length, 1, 'the one without embargo, once; the embargoed one waits');
    assert.doesNotMatch(JSON.stringify(queued), /CASE-2026|PSB/, 'the notice says neither the case nor the authority');
    // Once that embargo has passed too, the subject is told of it.
    await app.container.db.knex('lawful_access_requests').where({ case_reference: 'CASE-2026-0004' }).update({ embargo_until: '2020-01-01' });
    await app.container.disclosureNotices.notifyEndedEmbargoes();
    assert.equal((await notices()).length, 2);
  });
});
