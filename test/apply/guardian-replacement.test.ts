// A ward names a new guardian when the current one cannot act (suspended, cancelled) or has not
// approved yet; never behind the back of an active guardian who has approved; and only one the
// identity authority confirms as their guardian (test/apply/guardian-confirmation.test.ts).
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { personAged } from '../support/identities.js';
import { adultWithIdentity, confirmGuardianOf, type AdultWithIdentity } from '../support/guardians.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

describe('naming a new guardian', () => {
  let app: TestApp;
  const PASSWORD = 'a long memorable phrase';
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  const adult = () => adultWithIdentity(app.container);
  const row = async (cyberspaceId: string) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;

  /** A 15-year-old who applied naming `guardian`; the authority also confirms each of `others`. */
  async function minorWithGuardian(guardian: AdultWithIdentity, name: string, others: AdultWithIdentity[] = []): Promise<string> {
    const minor: IdentityClaim = personAged(15, name);
    for (const each of [guardian, ...others]) await confirmGuardianOf(app.container, each, minor);
    const { cyberspaceId } = await app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
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
    const ward = await minorWithGuardian(first, '换监护人', [second]);
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
    const other = await adult();
    const ward = await minorWithGuardian(guardian, '不能换', [other]);
    await app.container.guardianship.approveAccount(guardian.citizen, (await row(ward)).id);
    const named = await nameGuardian(ward, other.cyberspace_id);
    assert.equal(named.offered, false);
    await assert.rejects(app.container.guardianship.nameNewGuardian(await row(ward), other.cyberspace_id), /only they can end the link/);
    assert.equal((await row(ward)).guardian_id, guardian.citizen.id);
  });

  it('is offered once the guardian is suspended, and refuses ineligible candidates without changing anything', async () => {
    const guardian = await adult();
    const replacement = await adult();
    const ward = await minorWithGuardian(guardian, '被暂停', [replacement]);
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
    assert.equal((await nameGuardian(ward, replacement.cyberspace_id)).offered, true);
    assert.equal((await row(ward)).guardian_id, replacement.citizen.id);
    assert.equal((await row(ward)).status, 'active', 'an approved ward stays usable');
    const entries = await app.container.audit.listForCitizen((await row(ward)).id);
    assert.ok(entries.some((e) => e.type === 'guardian.replaced' && e.actor === 'citizen'));
  });
});
