// A ward names a new guardian when the current one cannot act (suspended, cancelled) or has not
// approved yet; never behind the back of an active guardian who has approved.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { personAged } from '../support/identities.js';

describe('naming a new guardian', () => {
  let app: TestApp;
  const PASSWORD = 'a long memorable phrase';
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  const adult = () => app.container.citizens.createTestCitizen({ birthDate: '1978-08-08' });
  const row = async (cyberspaceId: string) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;

  async function minorWithGuardian(guardianId: string, name: string) {
    const minor = personAged(15, name);
    await app.container.sandboxIdentities.add(minor);
    const { cyberspaceId } = await app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardianId });
    return cyberspaceId;
  }

  async function nameGuardian(wardId: string, guardian: string) {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    await signInToAccount(browser, wardId, PASSWORD);
    const dashboard = await browser.navigate('/account/guardianship');
    assert.ok(isPage(dashboard));
    const form = dashboard.document.querySelector('form[action="/account/guardian"]');
    if (!form) return { offered: false as const, dashboard };
    const result = await browser.submit(dashboard, 'form[action="/account/guardian"]', { guardian });
    assert.ok(isPage(result));
    return { offered: true as const, result };
  }

  it('lets a minor still awaiting approval name another adult, who then approves', async () => {
    const first = await adult();
    const second = await adult();
    const ward = await minorWithGuardian(first.cyberspace_id, '换监护人');
    const named = await nameGuardian(ward, second.cyberspace_id.toLowerCase());
    assert.equal(named.offered, true);
    assert.match(named.result!.html, /new guardian has been named/);
    assert.equal((await row(ward)).guardian_id, second.citizen.id);
    assert.equal((await row(ward)).status, 'pending_guardian', 'still waiting, now for the new guardian');
    await assert.rejects(app.container.guardianship.approveAccount(first.citizen, (await row(ward)).id), /no such ward/);
    await app.container.guardianship.approveAccount(second.citizen, (await row(ward)).id);
    assert.equal((await row(ward)).status, 'active');
  });

  it('is not offered, and refused, while an approving guardian is active', async () => {
    const guardian = await adult();
    const ward = await minorWithGuardian(guardian.cyberspace_id, '不能换');
    await app.container.guardianship.approveAccount(guardian.citizen, (await row(ward)).id);
    const other = await adult();
    const named = await nameGuardian(ward, other.cyberspace_id);
    assert.equal(named.offered, false);
    await assert.rejects(app.container.guardianship.nameNewGuardian(await row(ward), other.cyberspace_id), /only they can end the link/);
    assert.equal((await row(ward)).guardian_id, guardian.citizen.id);
  });

  it('is offered once the guardian is suspended, and refuses ineligible candidates without changing anything', async () => {
    const guardian = await adult();
    const ward = await minorWithGuardian(guardian.cyberspace_id, '被暂停');
    await app.container.guardianship.approveAccount(guardian.citizen, (await row(ward)).id);
    await app.container.lifecycle.suspendBySelf((await row(guardian.cyberspace_id)));
    const teen = await app.container.citizens.createTestCitizen({ birthDate: personAged(16, 'x').birthDate });
    for (const candidate of [teen.cyberspace_id, ward, 'not-an-id']) {
      const named = await nameGuardian(ward, candidate);
      assert.equal(named.offered, true);
      assert.equal(named.result!.status, 400, candidate);
      assert.match(named.result!.html, /cannot act as a guardian|not valid/);
      assert.equal((await row(ward)).guardian_id, guardian.citizen.id);
    }
    const replacement = await adult();
    assert.equal((await nameGuardian(ward, replacement.cyberspace_id)).offered, true);
    assert.equal((await row(ward)).guardian_id, replacement.citizen.id);
    assert.equal((await row(ward)).status, 'active', 'an approved ward stays usable');
    const entries = await app.container.audit.listForCitizen((await row(ward)).id);
    assert.ok(entries.some((e) => e.type === 'guardian.replaced' && e.actor === 'citizen'));
  });
});
