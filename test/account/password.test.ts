// Changing the password from the account: the current password is required (a wrong one
// changes nothing), the new one follows the password policy, success is audited and ends every
// other session of the account pages while this one stays signed in.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import type { Credentials } from '../support/flow.js';
import { EN, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard } from './account-support.js';

const NEW_PASSWORD = 'another quite long phrase';

describe('changing the password', () => {
  let app: TestApp;
  let citizen: Credentials;
  const identity = adultIdentity('改密甲');
  const hash = async () => (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!.password_hash;

  before(async () => {
    app = await startTestApp();
    citizen = await appliedCitizen(app, identity);
  });
  after(async () => app.stop());

  async function change(browser: Browser, fields: Record<string, string>): Promise<Page> {
    const form = await browser.navigate('/account/password');
    assert.ok(isPage(form));
    const result = await browser.submit(form, 'form[action="/account/password"]', fields);
    assert.ok(isPage(result));
    return result;
  }
  const alert = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim() ?? '';

  it('is linked from the dashboard, with labelled password fields', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const link = (await dashboard(browser, '/account/security')).document.querySelector('a[href="/account/password"]')!;
    assert.match(link.text, /Change my password/);
    const form = await browser.navigate('/account/password');
    assert.ok(isPage(form));
    for (const id of ['current_password', 'password']) {
      assert.equal(form.document.querySelector(`#${id}`)!.getAttribute('type'), 'password');
      assert.ok(form.document.querySelector(`label[for="${id}"]`)!.text.trim());
    }
    assert.equal(form.document.querySelector('#current_password')!.getAttribute('autocomplete'), 'current-password');
    assert.equal(form.document.querySelector('#password')!.getAttribute('autocomplete'), 'new-password');
  });

  it('with a wrong current password says so clearly and changes nothing', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const before = await hash();
    const page = await change(browser, { current_password: 'not my password', password: NEW_PASSWORD });
    assert.equal(page.status, 400);
    assert.match(alert(page), /The current password is incorrect\. Nothing was changed\./);
    assert.equal(page.document.querySelector('#current_password')!.getAttribute('aria-invalid'), 'true');
    assertPageRules(page, 'password form with an error');
    assert.equal(await hash(), before);
    const missing = await change(browser, { current_password: '', password: NEW_PASSWORD });
    assert.equal(missing.status, 400);
    assert.match(alert(missing), /Enter your current password/);
    assert.equal(await hash(), before);
  });

  it('refuses a new password the policy refuses, with the policy\'s message, changing nothing', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const before = await hash();
    for (const [password, message] of [
      ['short', /at least 8 characters/],
      ['password123', /too common/],
      [citizen.cyberspace_id.toLowerCase(), /document number or cyberspace ID/],
      [identity.documentNumber, /document number or cyberspace ID/],
    ] as const) {
      const page = await change(browser, { current_password: citizen.password, password });
      assert.equal(page.status, 400, password);
      assert.match(alert(page), message);
      assert.equal(page.document.querySelector('#password')!.getAttribute('aria-invalid'), 'true');
      assert.equal(await hash(), before);
    }
  });

  it('changes it, keeps this session, ends every other account session, and is recorded', async () => {
    const other = new Browser(app.url, EN);
    await signInToAccount(other, citizen.cyberspace_id, citizen.password);
    const here = new Browser(app.url, EN);
    await signInToAccount(here, citizen.cyberspace_id, citizen.password);

    const done = await change(here, { current_password: citizen.password, password: NEW_PASSWORD });
    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).pathname, '/account/security', 'back on the security page');
    assert.match(done.document.querySelector('[role="status"]')!.text, /Your password has been changed/);
    assert.ok(activityLines(await dashboard(here, '/account/activity')).includes('Password changed'));

    const stillHere = await here.navigate('/account');
    assert.ok(isPage(stillHere) && stillHere.status === 200, 'this session stays');
    const ended = await other.request('/account');
    assert.equal(ended.status, 303, 'the other session ended');
    assert.equal(ended.headers.get('location'), '/account/login');

    const oldPassword = await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, citizen.password);
    assert.equal(oldPassword.status, 400, 'the old password no longer works');
    const newPassword = await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, NEW_PASSWORD);
    assert.equal(newPassword.status, 200);

    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
    const entries = await app.container.audit.listForCitizen(row.id, { limit: 100 });
    const changed = entries.find((e) => e.type === 'account.password_changed')!;
    assert.equal(changed.actor, 'citizen');
    assert.deepEqual(changed.details, {});
    assert.ok(Date.now() - new Date(row.password_changed_at).getTime() < 60_000, 'password_changed_at moved');
  });

  it('is rate-limited like sign-in', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, NEW_PASSWORD);
    const limit = app.container.config.rateLimit.loginAttemptsPerWindow;
    let last: Page | undefined;
    for (let i = 0; i <= limit; i += 1) last = await change(browser, { current_password: 'wrong guess', password: 'a fine new passphrase' });
    assert.equal(last!.status, 429);
    assert.match(alert(last!), /Too many attempts/);
    const refused = await change(browser, { current_password: NEW_PASSWORD, password: 'a fine new passphrase' });
    assert.equal(refused.status, 429, 'even the right password waits for the window to pass');
  });

  it('needs a signed-in session and a CSRF token', async () => {
    const anonymous = await new Browser(app.url).request('/account/password');
    assert.equal(anonymous.status, 303);
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, NEW_PASSWORD);
    const forged = await browser.request('/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ current_password: NEW_PASSWORD, password: 'forged new passphrase' }),
    });
    assert.equal(forged.status, 403);
  });
});
