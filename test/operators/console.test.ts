// The operator console (/admin) driven through its HTML forms, as an operator's browser would
// without JavaScript: enrolment, sign-in with all three factors, short-lived strict cookies,
// CSRF, role checks, and the lawful-access steps of two officers.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { createCitizen } from '../support/factories.js';
import { operatorTotp } from '../../src/operators/totp.js';
import { MIN_KEY_ACTIVATION_SECONDS } from '../../src/oidc/key-reload.js';
import { OPERATOR_PASSWORD, addOperator, bootstrapOperator, freshCode, signIn, uniqueHandle, type TestOperator } from '../support/operators.js';

async function page(result: Awaited<ReturnType<Browser['navigate']>>): Promise<Page> {
  assert.ok(isPage(result), 'a page, not a redirect away');
  return result;
}

/** Signs in through the console's form. */
export async function consoleSignIn(browser: Browser, operator: TestOperator): Promise<Page> {
  const form = await page(await browser.navigate('/admin/login'));
  return page(await browser.submit(form, 'form[action="/admin/login"]', { handle: operator.handle, password: operator.password, code: await freshCode(operator) }));
}

describe('operator console', function () {
  this.timeout(180000);
  let app: TestApp;
  let root: TestOperator;
  let officerA: TestOperator;
  let officerB: TestOperator;
  let auditor: TestOperator;
  let admin: { actor: Awaited<ReturnType<typeof signIn>>; operator: TestOperator };

  before(async () => {
    app = await startTestApp();
    root = await bootstrapOperator(app.container);
    admin = { actor: await signIn(app.container, root), operator: root };
    officerA = await addOperator(app.container, admin, ['lawful_access_officer']);
    officerB = await addOperator(app.container, admin, ['lawful_access_officer']);
    auditor = await addOperator(app.container, admin, ['auditor', 'account_support']);
  });
  after(async () => app?.stop());

  it('sends a visitor without a session to the sign-in page', async () => {
    const response = await fetch(`${app.url}/admin/lawful-access`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/admin/login');
  });

  it('enrols a new operator with the one-time code, a password and an authenticator, all on pages', async () => {
    // The admin's session from before (it re-authenticated then): no new codes needed.
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    browser.cookies.set('cid_operator', admin.actor.token);
    const operators = await page(await browser.navigate('/admin/operators'));
    const handle = uniqueHandle('support');
    const created = await page(await browser.submit(operators, 'form[action="/admin/operators"]', { handle, role_account_support: 'on' }));
    assert.equal(created.status, 200, created.html);
    assert.match(created.headers.get('cache-control') ?? '', /no-store/);
    const code = created.document.querySelector('#enrolment-code')!.getAttribute('value')!;

    const newcomer = new Browser(app.url, { 'accept-language': 'en' });
    const enrol = await page(await newcomer.navigate('/admin/enrol'));
    const weak = await page(await newcomer.submit(enrol, 'form[action="/admin/enrol"]', { handle, enrolment_code: code, password: 'too short' }));
    assert.equal(weak.status, 400);
    const authenticator = await page(await newcomer.submit(weak, 'form[action="/admin/enrol"]', { handle, enrolment_code: code, password: OPERATOR_PASSWORD }));
    assert.ok(authenticator.document.querySelector('figure.qr svg'), 'the QR code is drawn on the server');
    const secret = authenticator.document.querySelector('.manual-key code')!.text.replaceAll(' ', '');
    const done = await newcomer.submit(authenticator, 'form[action="/admin/enrol/confirm"]', { code: operatorTotp(secret, handle).generate() });
    assert.equal((await page(done)).url, `${app.url}/admin/login?enrolled=1`);
    assert.equal((await app.container.operators.accounts.findByHandle(handle))!.status, 'active');
  });

  it('refuses a sign-in without the authenticator code, and sets a strict, /admin-only session cookie with one', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const form = await page(await browser.navigate('/admin/login'));
    const refused = await page(await browser.submit(form, 'form[action="/admin/login"]', { handle: auditor.handle, password: auditor.password, code: '' }));
    assert.equal(refused.status, 400);
    assert.match(refused.html, /handle, password or authenticator code is not correct/);
    assert.ok(!browser.cookies.has('cid_operator'));

    const response = await browser.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: refused.document.querySelector('input[name=_csrf]')!.getAttribute('value')!, handle: auditor.handle, password: auditor.password, code: await freshCode(auditor) }).toString(),
    });
    assert.equal(response.status, 303);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('cid_operator='))!;
    assert.match(cookie, /path=\/admin/i);
    assert.match(cookie, /samesite=strict/i);
    assert.match(cookie, /httponly/i);
    const home = await page(await browser.navigate('/admin'));
    assert.match(home.html, /Auditor/);
    assert.ok(!home.html.includes('href="/admin/lawful-access"'), 'the menu shows only the areas of this operator\'s roles');
  });

  it('refuses a form post without the CSRF token', async () => {
    const browser = new Browser(app.url);
    await consoleSignIn(browser, auditor);
    const response = await browser.request('/admin/audit/verify', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.equal(response.status, 403);
  });

  it('refuses an area outside the operator\'s roles, and shows account state without identity data', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    await consoleSignIn(browser, auditor);
    const forbidden = await page(await browser.navigate('/admin/lawful-access'));
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.document.querySelector('#problem')!.text, /needs the lawful_access_officer role/);
    assert.ok(!forbidden.html.includes('CASE-'));
    const verify = await page(await browser.submit(await page(await browser.navigate('/admin/audit')), 'form[action="/admin/audit/verify"]'));
    assert.match(verify.document.querySelector('#audit-result')!.text, /verifies/);
    const latest = verify.document.querySelectorAll('table.audit-entries tbody tr').map((row) => row.text);
    assert.ok(latest.some((text) => text.includes('operator.signed_in')), 'the auditor reads the newest entries');
    assert.ok(latest.every((text) => !text.includes(OPERATOR_PASSWORD)));

    const citizen = await createCitizen(app.container);
    const citizens = await page(await browser.navigate('/admin/citizens'));
    const state = await page(await browser.submit(citizens, 'form[action="/admin/citizens"]', { cyberspace_id: citizen.cyberspace_id }));
    assert.equal(state.document.querySelector('#account-state')!.text, 'Active');
    const suspended = await page(await browser.submit(state, 'form[action="/admin/citizens/suspend"]', { reason: 'Reported misuse' }));
    assert.equal(suspended.document.querySelector('#account-state')!.text, 'Suspended');
  });

  it('takes ISP decisions with a reason, and rotates keys only with a fresh code, through the forms', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    browser.cookies.set('cid_operator', admin.actor.token);
    const { client_id: clientId } = await app.container.clients.addClient({ name: 'Console ISP', redirectUris: ['https://console.isp.example/cb'] });
    const isps = await page(await browser.navigate('/admin/isps'));
    const form = `form[action="/admin/isps/${clientId}"]`;
    const noReason = await page(await browser.submit(isps, form, { reason: '' }, { name: 'decision', value: 'approve' }));
    assert.equal(noReason.status, 400);
    assert.equal((await app.container.clients.findClient(clientId))!.status, 'submitted');
    const approved = await page(await browser.submit(noReason, form, { reason: 'Licence checked' }, { name: 'decision', value: 'approve' }));
    assert.match(approved.url, /done=approve/);
    assert.equal((await app.container.clients.findClient(clientId))!.status, 'approved');
    const wrong = await page(await browser.submit(approved, form, { reason: 'not possible now' }, { name: 'decision', value: 'reactivate' }));
    assert.equal(wrong.status, 409, 'a decision that does not fit the status');

    // A fresh session: keys rotate only after a new authenticator code.
    const custodian = await addOperator(app.container, admin, ['key_custodian']);
    const keysBrowser = new Browser(app.url, { 'accept-language': 'en' });
    await consoleSignIn(keysBrowser, custodian);
    const keys = await page(await keysBrowser.navigate('/admin/keys'));
    const before = (await app.container.keys.describeKeys()).length;
    const refused = await page(await keysBrowser.submit(keys, 'form[action="/admin/keys/rotate"]', { reauth_code: '' }));
    assert.equal(refused.status, 400);
    assert.match(refused.document.querySelector('#problem')!.text, /Enter a current authenticator code/);
    assert.equal((await app.container.keys.describeKeys()).length, before);
    const rotated = await page(await keysBrowser.submit(refused, 'form[action="/admin/keys/rotate"]', { reauth_code: await freshCode(custodian) }));
    assert.match(rotated.url, /done=rotated/);
    const after = await app.container.keys.describeKeys();
    assert.equal(after.length, before + 4);
    // The console's fixed delay meets the rule every rotation is checked against (issue 9).
    const pending = after.filter((k) => k.state === 'pending');
    assert.equal(pending.length, 4);
    assert.ok(pending.every((k) => Date.parse(k.activates_at) - Date.now() > (MIN_KEY_ACTIVATION_SECONDS - 5) * 1000), 'the new keys sign only after two key reloads');
  });

  describe('lawful access, two officers', () => {
    let subject: { cyberspace_id: string };
    let a: Browser;
    let b: Browser;
    before(async () => {
      subject = await createCitizen(app.container);
      a = new Browser(app.url, { 'accept-language': 'en' });
      b = new Browser(app.url, { 'accept-language': 'zh-CN' });
      await consoleSignIn(a, officerA);
      await consoleSignIn(b, officerB);
    });

    it('lets A request, refuses A\'s own approval, lets B approve and A receive the disclosure once', async () => {
      const list = await page(await a.navigate('/admin/lawful-access'));
      const noCode = await page(await a.submit(list, '#request-form', { cyberspace_id: subject.cyberspace_id, case_reference: 'CONSOLE-1', authority_code: 'PSB-110105' }));
      assert.equal(noCode.status, 400);
      assert.match(noCode.html, /Enter a current authenticator code/);
      const requested = await page(await a.submit(noCode, '#request-form', { cyberspace_id: subject.cyberspace_id, case_reference: 'CONSOLE-1', authority_code: 'PSB-110105', reauth_code: await freshCode(officerA) }));
      assert.match(requested.url, /done=requested/);
      const row = requested.document.querySelector('tr[data-request]')!;
      const id = row.getAttribute('data-request')!;
      assert.ok(!row.querySelector(`form[action$="/approve"]`), 'no approve button for the requester');

      const self = await a.request(`/admin/lawful-access/${id}/approve`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: requested.document.querySelector('input[name=_csrf]')!.getAttribute('value')! }).toString(),
      });
      assert.equal(self.status, 403, 'the requester cannot approve by posting the form by hand');

      const bList = await page(await b.navigate('/admin/lawful-access'));
      assert.match(bList.html, /等待批准/);
      const approved = await page(await b.submit(bList, `form[action="/admin/lawful-access/${id}/approve"]`, { reauth_code: await freshCode(officerB) }));
      assert.match(approved.url, /done=approved/);

      const aList = await page(await a.navigate('/admin/lawful-access'));
      const disclosure = await page(await a.submit(aList, `form[action="/admin/lawful-access/${id}/reveal"]`));
      assert.equal(disclosure.status, 200, disclosure.html.slice(0, 2000));
      assert.match(disclosure.headers.get('cache-control') ?? '', /no-store/);
      assert.ok(disclosure.document.querySelector('#disclosure')!.text.includes(subject.cyberspace_id));
      const again = await page(await a.submit(aList, `form[action="/admin/lawful-access/${id}/reveal"]`));
      assert.equal(again.status, 409, 'shown once');
      const ledger = await page(await b.navigate('/admin/lawful-access'));
      assert.match(ledger.html, new RegExp(`接收人 ${officerA.handle}`));
    });
  });
});
