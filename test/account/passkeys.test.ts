// Passkeys over HTTP, through the pages' own forms (a software authenticator stands in for the
// browser's WebAuthn; test/browser/passkeys.test.ts does it in Chromium): adding from the
// dashboard, naming, removing (only one's own), and signing in at an ISP with the challenge the
// sign-in page carries, once.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { CONSENT_FORM, expectPage, openLogin, type TestClient } from '../web/web-support.js';
import { activityLines, adultIdentity, appliedCitizen, EN, text } from './account-support.js';
import { en } from '../../src/web/locales/en.js';

const REGISTER_FORM = 'form[data-passkey="register"]';
const options = (page: Page, selector: string) => JSON.parse(page.document.querySelector(selector)!.getAttribute('data-options')!);

describe('passkeys on the account pages and at sign-in', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Passkey ISP' });
  });
  after(async () => app.stop());

  async function accountWithPasskey(name: string) {
    const citizen = await appliedCitizen(app, adultIdentity(name));
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const soft = new SoftAuthenticator({ origin: app.container.passkeys.origin, rpID: app.container.passkeys.rpID });
    const page = expectPage(await browser.navigate('/account/passkeys'), 'the passkeys page');
    assert.deepEqual(text(page, '#passkeys-none'), [en['passkey.none']]);
    const response = soft.register(options(page, REGISTER_FORM));
    // The first passkey shows recovery codes once (test/account/recovery-codes.test.ts), then the list.
    const codes = expectPage(await browser.submit(page, REGISTER_FORM, { response, name: 'Home laptop' }), 'the recovery codes');
    assert.equal(codes.document.querySelectorAll('#recovery-codes li').length, 10);
    const added = expectPage(await browser.navigate(codes.document.querySelector('#recovery-codes-saved')!.getAttribute('href')!), 'the passkeys page');
    assert.deepEqual(text(added, '#passkey-done'), [en['passkey.done.added']]);
    return { citizen, browser, soft, page: added, response };
  }

  it('adds a named passkey from the dashboard; the same response again is refused; the activity says so', async () => {
    const { browser, page, response } = await accountWithPasskey('钥匙甲');
    assert.deepEqual(text(page, '.passkey-name'), ['Home laptop']);
    assert.match(text(page, '.passkey')[0]!, new RegExp(en['passkey.never_used']));
    const replay = await browser.submit(page, REGISTER_FORM, { response, name: 'Again' });
    assert.ok(isPage(replay) && replay.status === 400, 'a registration response answers one challenge, once');
    const account = expectPage(await browser.navigate('/account/activity'), 'the activity');
    assert.ok(activityLines(account).some((line) => line.startsWith(en['activity.account.passkey_added'])), activityLines(account).join(' | '));
  });

  it('renames and removes one’s own passkey; another citizen can do neither', async () => {
    const owner = await accountWithPasskey('钥匙乙');
    const stranger = await accountWithPasskey('钥匙丙');
    for (const action of ['rename', 'remove']) {
      const tried = await stranger.browser.submit(stranger.page, `form[action="/account/passkeys/${action}"]`, { credential_id: owner.soft.id, name: 'Mine now' });
      assert.ok(isPage(tried) && tried.status === 400, `${action} of someone else's passkey is refused`);
    }
    const mine = expectPage(await owner.browser.navigate('/account/passkeys'), 'the passkeys page');
    assert.deepEqual(text(mine, '.passkey-name'), ['Home laptop']);
    const renamed = expectPage(await owner.browser.submit(mine, 'form[action="/account/passkeys/rename"]', { name: 'Office key' }), 'renamed');
    assert.deepEqual(text(renamed, '.passkey-name'), ['Office key']);
    const removed = expectPage(await owner.browser.submit(renamed, 'form[action="/account/passkeys/remove"]'), 'removed');
    assert.deepEqual(text(removed, '#passkey-done'), [en['passkey.done.removed']]);
    assert.deepEqual(text(removed, '.passkey-name'), []);
    // Both are told outside the site too (issue 8): an outbox entry each, nothing for the stranger's refused tries.
    const kinds = async (cyberspaceId: string) => {
      const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
      return (await app.container.db.knex('notification_outbox').where({ citizen_id: row.id }).whereIn('kind', ['passkey_added', 'passkey_removed']).orderBy('id')).map((r) => r.kind as string);
    };
    assert.deepEqual(await kinds(owner.citizen.cyberspace_id), ['passkey_added', 'passkey_removed']);
    assert.deepEqual(await kinds(stranger.citizen.cyberspace_id), ['passkey_added']);
  });

  it('signs in at an ISP with the page’s challenge, without the cyberspace ID; the same answer again is refused', async () => {
    const { soft } = await accountWithPasskey('钥匙丁');
    const opened = await openLogin(app.url, client, { params: { ui_locales: 'en' } });
    const form = 'form[data-passkey="sign-in"]';
    const response = soft.assert(options(opened.page, form).challenge);
    const consent = expectPage(await opened.browser.submit(opened.page, form, { response }), 'the consent page');
    assert.ok(consent.document.querySelector(CONSENT_FORM), consent.html.slice(0, 400));

    const again = await openLogin(app.url, client, { params: { ui_locales: 'en' } });
    const replay = expectPage(await again.browser.submit(again.page, form, { response }), 'the sign-in page');
    assert.equal(replay.status, 400);
    assert.equal(replay.document.querySelector(CONSENT_FORM), null, 'an answer to another interaction’s challenge does not sign in');
  });

  it('cancelling the cyberspace ID forgets its passkeys; they no longer sign in', async () => {
    const { citizen, soft } = await accountWithPasskey('钥匙戊');
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
    await app.container.lifecycle.cancel(row, citizen.password);
    assert.deepEqual(await app.container.passkeys.list(row.id), []);
    const opened = await openLogin(app.url, client, { params: { ui_locales: 'en' } });
    const form = 'form[data-passkey="sign-in"]';
    const refused = expectPage(await opened.browser.submit(opened.page, form, { response: soft.assert(options(opened.page, form).challenge) }), 'the sign-in page');
    assert.equal(refused.status, 400);
    assert.equal(refused.document.querySelector(CONSENT_FORM), null);
  });

  it('opens the account page with a passkey, without the cyberspace ID; the answer works once', async () => {
    const { soft } = await accountWithPasskey('钥匙己');
    const browser = new Browser(app.url, EN);
    const login = expectPage(await browser.navigate('/account/login'), 'the account sign-in page');
    const form = 'form[data-passkey="sign-in"]';
    const response = soft.assert(options(login, form).challenge);
    const signedIn = expectPage(await browser.submit(login, form, { response }), 'the dashboard');
    assert.equal(new URL(signedIn.url).pathname, '/account');
    const other = new Browser(app.url, EN);
    const otherLogin = expectPage(await other.navigate('/account/login'), 'the account sign-in page');
    const replay = expectPage(await other.submit(otherLogin, form, { response }), 'the sign-in page');
    assert.equal(replay.status, 400);
    assert.equal(new URL(replay.url).pathname, '/account/login/passkey');
  });
});
