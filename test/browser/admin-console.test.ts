// The operator console in Debian's Chromium, in both languages: an operator admin creates a
// lawful-access officer, who enrols (password, then the authenticator from the QR page), signs in
// and requests a disclosure; a second officer approves in their own browser; the first receives
// it once. Every console view is audited with axe-core (WCAG 2.2 A and AA), and the main pages
// are saved as docs/screenshots/admin-*.<locale>.png.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchChromium } from '../support/chromium.js';
import { axeViolations } from '../support/axe.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import { operatorTotp } from '../../src/operators/totp.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { OPERATOR_PASSWORD, addOperator, bootstrapOperator, freshCode, signIn, type TestOperator } from '../support/operators.js';

const LOCALES = ['en', 'zh-CN'] as const;
const TABLES = { en, 'zh-CN': zhCN };
const DESKTOP = { width: 1024, height: 768 };
const MOBILE = { width: 375, height: 812 };
const CONSOLE_VIEWS = ['admin-login', 'admin-enrol', 'admin-enrol-authenticator', 'admin-home', 'admin-operators', 'admin-enrolment-code',
  'admin-isps', 'admin-citizens', 'admin-keys', 'admin-audit', 'admin-lawful-access', 'admin-disclosure'];
/** Synthetic people (the sandbox authority knows them), one per language. */
const SUBJECTS = {
  en: { name: '赵测试', birthDate: '1979-11-02', serial: '301' },
  'zh-CN': { name: '钱测试', birthDate: '1981-04-23', serial: '302' },
};

describe('operator console in Chromium', function () {
  this.timeout(240000);
  let app: TestApp;
  let chromium: Browser;
  let root: TestOperator;
  let rootToken: string;
  const seconds = new Map<string, TestOperator>();
  const audited = new Map<string, Set<string>>();
  const findings: string[] = [];

  const waitForPage = (page: Page, action: () => Promise<unknown>) =>
    Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), action()]).then(() => page.waitForLoadState('load'));

  async function audit(page: Page, locale: string) {
    const view = (await page.getAttribute('body', 'data-view')) ?? '(none)';
    if (!audited.has(view)) audited.set(view, new Set());
    audited.get(view)!.add(locale);
    assert.equal(await page.getAttribute('html', 'lang'), locale, `${view} is in ${locale}`);
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', MOBILE]] as const) {
      await page.setViewportSize(viewport);
      for (const f of await axeViolations(page)) findings.push(`${view} (${locale}, ${size}): ${f.impact} ${f.rule} — ${f.help} — at ${f.targets.join(', ')}`);
    }
    await page.setViewportSize(DESKTOP);
  }

  const shoot = (page: Page, name: string, locale: string) =>
    page.screenshot({ path: `docs/screenshots/${name}.${locale}.png`, fullPage: true, animations: 'disabled', caret: 'hide' });

  async function newContext(locale: string, operatorToken?: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.newContext({ locale, viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
    if (operatorToken) await context.addCookies([{ name: 'cid_operator', value: operatorToken, url: `${app.url}/admin` }]);
    return { context, page: await context.newPage() };
  }

  before(async () => {
    app = await startTestApp();
    chromium = await launchChromium();
    root = await bootstrapOperator(app.container, 'li.ops');
    // The admin's session, re-authenticated once by creating the second officers (each walk's
    // approver), reused by both walks' admin browser.
    const session = await signIn(app.container, root);
    rootToken = session.token;
    for (const locale of LOCALES) seconds.set(locale, await addOperator(app.container, { actor: session, operator: root }, ['lawful_access_officer'], `zhao.${locale.toLowerCase()}`));
    await app.container.clients.addClient({ name: 'Forum ISP', redirectUris: ['https://forum.isp.example/callback'] });
  });
  after(async () => {
    await chromium?.close();
    await app?.stop();
  });

  for (const locale of LOCALES) {
    it(`walks sign-in and a two-officer lawful-access request (${locale})`, async () => {
      const t = TABLES[locale];
      const person = SUBJECTS[locale];
      const first17 = `110105${person.birthDate.replaceAll('-', '')}${person.serial}`;
      const identity = { documentType: 'resident_id' as const, documentNumber: first17 + residentIdCheckCharacter(first17), name: person.name, birthDate: person.birthDate };
      await app.container.sandboxIdentities.add(identity);
      const subject = await app.container.applications.apply({ ...identity, password: 'a long memorable phrase for the subject' });

      const admin = await newContext(locale, rootToken);
      const officerA = await newContext(locale);
      const officerB = await newContext(locale);
      try {
        // The operator admin's areas, and creating the officer (the enrolment code is shown once).
        const { page } = admin;
        await page.goto(`${app.url}/admin`);
        await audit(page, locale);
        await shoot(page, 'admin-home', locale);
        for (const area of ['isps', 'citizens', 'keys', 'audit']) {
          await page.goto(`${app.url}/admin/${area}`);
          await audit(page, locale);
        }
        await waitForPage(page, () => page.click('form[action="/admin/audit/verify"] button'));
        assert.match(await page.locator('#audit-result').innerText(), locale === 'en' ? /verifies/ : /校验通过/);
        await audit(page, locale);
        await page.goto(`${app.url}/admin/citizens`);
        await page.fill('#lookup-id', subject.cyberspaceId);
        await waitForPage(page, () => page.click('form[action="/admin/citizens"] button'));
        assert.equal(await page.locator('#account-state').innerText(), t['admin.account_status.active']);
        assert.ok(!(await page.content()).includes(person.name), 'account support sees no identity data');
        await audit(page, locale);
        await page.goto(`${app.url}/admin/operators`);
        await audit(page, locale);
        const handle = locale === 'en' ? 'wang.la' : 'zhou.la';
        await page.fill('#new-handle', handle);
        await page.check('#role-lawful_access_officer');
        await waitForPage(page, () => page.click('form[action="/admin/operators"] button[type="submit"]'));
        const enrolmentCode = await page.inputValue('#enrolment-code');
        await audit(page, locale);

        // The new officer enrols: the code and a password, then the authenticator.
        const a = officerA.page;
        await a.goto(`${app.url}/admin/login`);
        await waitForPage(a, () => a.click('a[href="/admin/enrol"]'));
        await audit(a, locale);
        await a.fill('#handle', handle);
        await a.fill('#enrolment_code', enrolmentCode);
        await a.fill('#password', OPERATOR_PASSWORD);
        await waitForPage(a, () => a.click('form[action="/admin/enrol"] button'));
        assert.equal(await a.locator('figure.qr svg').count(), 1);
        await audit(a, locale);
        await shoot(a, 'admin-enrol-authenticator', locale);
        const secret = (await a.locator('.manual-key code').innerText()).replaceAll(' ', '');
        const step = Math.floor(Date.now() / 30_000);
        await a.fill('#code', operatorTotp(secret, handle).generate({ timestamp: step * 30_000 + 15_000 }));
        await waitForPage(a, () => a.click('form[action="/admin/enrol/confirm"] button'));
        const first: TestOperator = { id: '', handle, password: OPERATOR_PASSWORD, secret, roles: ['lawful_access_officer'], used: new Set([step]) };

        // Signing in needs the code too; without it, refused.
        await a.fill('#handle', handle);
        await a.fill('#password', OPERATOR_PASSWORD);
        await waitForPage(a, () => a.click('form[action="/admin/login"] button'));
        assert.equal(await a.locator('#problem').innerText(), t['admin.error.sign_in.invalid']);
        await audit(a, locale);
        await a.fill('#handle', handle);
        await a.fill('#password', OPERATOR_PASSWORD);
        await a.fill('#code', await freshCode(first));
        await shoot(a, 'admin-login', locale);
        await waitForPage(a, () => a.click('form[action="/admin/login"] button'));
        assert.equal(await a.locator('#operator-handle').innerText(), handle);

        // The request, re-authenticated with a fresh code.
        await waitForPage(a, () => a.click('a[href="/admin/lawful-access"]'));
        await a.fill('#cyberspace_id', subject.cyberspaceId);
        await a.fill('#case_reference', `CASE-2026/${locale.toUpperCase()}-0042`);
        await a.fill('#authority_code', 'PSB-110105');
        await a.fill('#request-reauth', await freshCode(first));
        await waitForPage(a, () => a.click('#request-form button[type="submit"]'));
        assert.equal(await a.locator('#done').innerText(), t['admin.lawful_access.done.requested']);
        const requestId = await a.locator('tr[data-request]').first().getAttribute('data-request');
        assert.equal(await a.locator(`form[action="/admin/lawful-access/${requestId}/approve"]`).count(), 0, 'the requester has no approve button');
        await audit(a, locale);

        // A second officer, in their own browser, approves.
        const second = seconds.get(locale)!;
        const b = officerB.page;
        await b.goto(`${app.url}/admin/login`);
        await b.fill('#handle', second.handle);
        await b.fill('#password', second.password);
        await b.fill('#code', await freshCode(second));
        await waitForPage(b, () => b.click('form[action="/admin/login"] button'));
        await b.goto(`${app.url}/admin/lawful-access`);
        await b.fill(`#step-code-${requestId}`, await freshCode(second));
        await waitForPage(b, () => b.click(`form[action="/admin/lawful-access/${requestId}/approve"] button`));
        assert.equal(await b.locator('#done').innerText(), t['admin.lawful_access.done.approved']);

        // The requester receives it, once (the session re-authenticated for the request minutes ago).
        await a.goto(`${app.url}/admin/lawful-access`);
        await shoot(a, 'admin-lawful-access', locale);
        await waitForPage(a, () => a.click(`form[action="/admin/lawful-access/${requestId}/reveal"] button`));
        assert.match(await a.locator('#disclosure').innerText(), new RegExp(person.name));
        await audit(a, locale);
        await shoot(a, 'admin-disclosure', locale);
        await a.goto(`${app.url}/admin/lawful-access`);
        assert.equal(await a.locator(`form[action="/admin/lawful-access/${requestId}/reveal"]`).count(), 0, 'shown once');
      } finally {
        await Promise.all([admin.context.close(), officerA.context.close(), officerB.context.close()]);
      }
    });
  }

  it('finds no WCAG 2.2 A or AA violation on any console page, in either language, on a phone or a desktop', () => {
    assert.deepEqual(findings, []);
  });

  it('audited every console view in both languages', () => {
    const missing = CONSOLE_VIEWS.filter((view) => !LOCALES.every((locale) => audited.get(view)?.has(locale)));
    assert.deepEqual(missing, []);
  });
});
