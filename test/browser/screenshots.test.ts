// Screenshots of every citizen page in both languages, taken in Debian's Chromium while a citizen
// really goes through them (applies, signs in to ISPs, consents, opens the dashboard, signs out),
// saved as docs/screenshots/<page>.<locale>.png and shown in docs/screenshots/README.md.
// The run fails when a page answers with a status it should not, is in the wrong language, or a
// screenshot is missing or empty. One browser for the file; one context per language, reused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { authorizeUrl } from '../support/flow.js';
import { seedSandbox } from '../support/citizen-pages.js';
import { adultWithIdentity, confirmGuardianOf } from '../support/guardians.js';
import { ispReturns, launchChromium } from '../support/chromium.js';
import { axeViolations } from '../support/axe.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import type { TestClient } from '../support/tokens.js';
import { loadDocSet } from '../../src/web/doc-pages.js';
import { ACR_PASSWORD_TOTP } from '../../src/sign-in/acr.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const OUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));
/** Views the walk does not reach, each with the reason; every other view must be audited. */
const NOT_WALKED: Record<string, string> = {
  layout: 'the frame of every page, audited with each of them',
  'demo-isp': 'the development demo ISP, not a page of the provider (never served in production)',
  // The operator console is not a citizen page: test/browser/admin-console.test.ts walks and audits each view.
  ...Object.fromEntries(['admin-login', 'admin-enrol', 'admin-enrol-authenticator', 'admin-home', 'admin-operators', 'admin-enrolment-code',
    'admin-isps', 'admin-citizens', 'admin-keys', 'admin-audit', 'admin-lawful-access', 'admin-disclosure']
    .map((view) => [view, 'the operator console, walked and audited by test/browser/admin-console.test.ts'])),
};
/** The app's GET routes that are not pages to audit, each with the reason; every other one must be visited and audited. */
const NOT_PAGES: Record<string, string> = {
  '/static/site.css': 'the stylesheet, loaded by every page (a failed load fails the walk)',
  '/static/favicon.svg': 'an icon, loaded by every page',
  '/favicon.ico': 'an icon, loaded by every page',
  '/static/passkey.js': 'the passkey script, run by test/browser/passkeys.test.ts',
  '/static/buttons/:file': 'the “Log in with Cyberspace ID” images for ISPs (test/web/login-buttons.test.ts)',
  '/developers/examples/*file': 'example source files, served as plain text',
  '/docs/:name': 'a permanent redirect to /developers/:name',
  '/account/export': 'the data download, a JSON file (test/account/export.test.ts)',
};
/** Whole areas walked by a test of their own. */
const WALKED_ELSEWHERE: Record<string, string> = {
  '/admin': 'the operator console, walked and audited by test/browser/admin-console.test.ts',
};
const REPO_README = fileURLToPath(new URL('../../README.md', import.meta.url));
const LOCALES = ['en', 'zh-CN'] as const;
type Locale = (typeof LOCALES)[number];
const DESKTOP = { width: 1024, height: 768 };
const MOBILE = { width: 375, height: 812 };

/** Every screenshot, in the order of the README; each is saved once per language. */
export const SCREENSHOTS = [
  'home', 'apply-notice', 'apply-form', 'apply-done',
  'login', 'login-mobile', 'login-error', 'consent', 'identity-release', 'guardian-pending',
  'account-login', 'dashboard', 'dashboard-mobile', 'account-services', 'account-services-mobile', 'account-security',
  'account-guardianship', 'account-data', 'account-activity', 'two-factor', 'recovery-codes', 'account-cancel', 'recover', 'error', 'logout', 'logged-out',
] as const;
type Shot = (typeof SCREENSHOTS)[number];

const SHOP_ORIGIN = 'https://shop.isp.example';
const BANK_ORIGIN = 'https://bank.isp.example';
const LEGAL_BASIS = 'Anti-Money Laundering Law of the PRC, Art. 28';
const PASSWORD = 'seven orange bicycles climb slowly';

/** Fixed synthetic people, one set per language, so the pictures stay the same from run to run. */
const PEOPLE: Record<Locale, { applicant: IdentityClaim; minor: IdentityClaim }> = {
  en: { applicant: person('李华', '1988-03-09', '101'), minor: person('李小雨', minorBirthDate(), '102') },
  'zh-CN': { applicant: person('王小明', '1990-05-17', '201'), minor: person('王小雪', minorBirthDate(), '202') },
};

function person(name: string, birthDate: string, serial: string): IdentityClaim {
  const first17 = `110105${birthDate.replaceAll('-', '')}${serial}`;
  return { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name, birthDate };
}
/** Someone who turned 15 about a month ago (a minor whose new services wait for a guardian). */
function minorBirthDate(): string {
  const day = new Date(Date.now() + 8 * 3600_000 - 30 * 86_400_000); // Beijing time, a month back
  return `${day.getUTCFullYear() - 15}-${String(day.getUTCMonth() + 1).padStart(2, '0')}-${String(day.getUTCDate()).padStart(2, '0')}`;
}

const ISP_NAMES: Record<Locale, { shop: string; bank: string }> = {
  en: { shop: 'Example Bookshop', bank: 'Example Bank' },
  'zh-CN': { shop: '示例书店', bank: '示例银行' },
};

describe('screenshots of every citizen page, in both languages (docs/screenshots)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let chromium: Browser;
  // Files older than this run are stale: the run must have written every one itself.
  const runStarted = Date.now() - 1000;
  // What axe-core found on each page (and each error state), at both sizes, in both languages.
  const accessibilityFindings: string[] = [];
  const viewsAudited = new Set<string>();
  const pathsAudited = new Set<string>();

  before(async () => {
    // Without a CJK font Chromium draws the zh-CN pages as boxes (CI installs fonts-noto-cjk).
    let cjkFonts = '';
    try {
      cjkFonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim();
    } catch {
      // no fontconfig at all: reported below
    }
    assert.ok(cjkFonts, 'no Chinese font installed: apt-get install fonts-noto-cjk');
    mkdirSync(OUT_DIR, { recursive: true });
    chromium = await launchChromium();
    app = await startTestApp();
  });
  after(async () => {
    await chromium?.close();
    await app?.stop();
  });

  const inOutDir = (name: string) => `${OUT_DIR}${name}`;
  const file = (name: Shot, locale: Locale) => inOutDir(`${name}.${locale}.png`);

  /** A browser tab in one language with its own cookies; it tells the status of every page it loads. */
  async function openTab(locale: Locale) {
    // JavaScript on for axe-core (the pages themselves carry no script; no-JS use is test/web/browser.test.ts).
    const context: BrowserContext = await chromium.newContext({ javaScriptEnabled: true, locale, viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
    const page: Page = await context.newPage();
    const shop = ispReturns(page, SHOP_ORIGIN);
    const bank = ispReturns(page, BANK_ORIGIN);
    let status: number | undefined;
    const brokenResources: string[] = []; // the stylesheet and anything else a page loads must load
    page.on('response', (response) => {
      const redirect = response.status() >= 300 && response.status() < 400;
      if (response.request().isNavigationRequest()) {
        if (response.frame() === page.mainFrame() && !redirect) status = response.status();
      } else if (response.status() >= 400) brokenResources.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      const atIsp = [SHOP_ORIGIN, BANK_ORIGIN].some((origin) => request.url().startsWith(`${origin}/`));
      if (!atIsp) brokenResources.push(`${request.failure()?.errorText} ${request.url()}`);
    });

    /** Asserts the page that `action` loads answered `expected`. */
    async function load(what: string, action: () => Promise<unknown>, expected = 200) {
      status = undefined;
      await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), action()]);
      await page.waitForLoadState('load');
      assert.equal(status, expected, `${what} (${locale}) answered ${status} at ${page.url()}: ${(await page.locator('main').innerText().catch(() => '')).slice(0, 300)}`);
    }
    const go = (path: string, expected = 200) => load(`GET ${path}`, () => page.goto(new URL(path, app.url).href), expected);
    const click = (selector: string, expected = 200) => load(`click ${selector}`, () => page.click(selector), expected);

    /** Runs axe-core on the page as it is, on a desktop and on a phone, and notes what it finds. */
    async function audit(name: string) {
      viewsAudited.add((await page.getAttribute('body', 'data-view')) ?? `(no data-view on ${name})`);
      pathsAudited.add(new URL(page.url()).pathname);
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', MOBILE]] as const) {
        await page.setViewportSize(viewport);
        for (const finding of await axeViolations(page)) {
          accessibilityFindings.push(`${name} (${locale}, ${size}): ${finding.impact} ${finding.rule} — ${finding.help} — at ${finding.targets.join(', ')}`);
        }
      }
      await page.setViewportSize(DESKTOP);
    }

    /** Saves a full-page screenshot after checking the page is in the right language and auditing it. */
    async function shoot(name: Shot, viewport = DESKTOP) {
      assert.equal(await page.getAttribute('html', 'lang'), locale, `${name} is in ${locale}`);
      if (viewport === DESKTOP) await audit(name);
      if (viewport !== DESKTOP) await page.setViewportSize(viewport);
      const png = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
      // Written whole then renamed, so a reader (or another test run) never sees half a file.
      const partial = `${file(name, locale)}.${process.pid}.partial`;
      writeFileSync(partial, png);
      renameSync(partial, file(name, locale));
      if (viewport !== DESKTOP) await page.setViewportSize(DESKTOP);
    }
    /** Fails if anything a page loaded (the stylesheet…) did not load. */
    const assertAllLoaded = () => assert.deepEqual(brokenResources, [], `requests that failed in ${locale}`);
    return { page, shop, bank, load, go, click, shoot, audit, close: () => context.close(), assertAllLoaded };
  }

  for (const locale of LOCALES) {
    it(`walks through every page in ${locale} and saves each one`, async () => {
      const names = ISP_NAMES[locale];
      const people = PEOPLE[locale];
      await seedSandbox(app.container, people.applicant);
      await seedSandbox(app.container, people.minor);
      const shopClient: TestClient = await createClient(app.container, {
        name: names.shop,
        scope: 'openid age verified offline_access',
        redirectUris: [`${SHOP_ORIGIN}/callback`],
        purposes: { age: { en: 'to sell age-restricted books only to adults', 'zh-CN': '仅向成年人出售限制年龄的图书' } },
      });
      const bankClient: TestClient = await createClient(app.container, {
        name: names.bank,
        scope: 'openid identity',
        legalBasis: LEGAL_BASIS,
        redirectUris: [`${BANK_ORIGIN}/callback`],
        purposes: { identity: { en: 'to open an account in your name, as the law requires', 'zh-CN': '依法以您的真实姓名开立账户' } },
      });

      const tab = await openTab(locale);
      const { page, go, click, shoot, audit } = tab;
      try {
        await go('/');
        await shoot('home');
        await go('/developers');
        await audit('developer portal');
        for (const name of loadDocSet(PROJECT_ROOT).names) {
          await go(`/developers/${name}`);
          await audit(`developer guide ${name}`);
        }

        // Applying: the notice, the details form with mistakes, then the new ID.
        await go('/apply');
        await shoot('apply-notice');
        // form.submit() skips the browser's own check of the required box: the server's error state.
        await tab.load('the notice, not accepted', () => page.locator('form[action="/apply"]').evaluate((form) => (form as unknown as { submit(): void }).submit()), 400);
        await audit('apply-notice, not accepted');
        await page.check('#accept');
        await click('form[action="/apply"] button[type="submit"]');
        await page.selectOption('#document_type', people.applicant.documentType);
        await page.fill('#document_number', people.applicant.documentNumber.slice(0, 17) + (people.applicant.documentNumber.endsWith('0') ? '1' : '0'));
        await page.fill('#birth_date', people.applicant.birthDate);
        await page.fill('#password', 'password');
        await click('form[action="/apply/submit"] button[type="submit"]', 400);
        assert.ok(await page.locator('#form-errors').isVisible(), 'the form shows its errors');
        await shoot('apply-form');
        await page.fill('#document_number', people.applicant.documentNumber);
        await page.fill('#name', people.applicant.name);
        await page.fill('#birth_date', people.applicant.birthDate);
        await page.fill('#password', PASSWORD);
        await click('form[action="/apply/submit"] button[type="submit"]', 201);
        const cyberspaceId = (await page.locator('#new-cyberspace-id').innerText()).trim();
        await shoot('apply-done');

        // An ISP asks for sign-in: the page (desktop and phone), a wrong password, then consent.
        // offline_access is only honoured with prompt=consent (OIDC Core §11).
        await go(authorizeUrl(app.url, shopClient, { scope: 'openid age verified offline_access', prompt: 'consent' }).url.href);
        assert.ok((await page.locator('main').innerText()).includes(names.shop), 'the sign-in page names the ISP');
        await shoot('login');
        await shoot('login-mobile', MOBILE);
        await page.fill('#cyberspace_id', cyberspaceId);
        await page.fill('#password', 'not my password');
        await click('form[action$="/login"] button[type="submit"]', 400);
        await shoot('login-error');
        await page.fill('#cyberspace_id', cyberspaceId);
        await page.fill('#password', PASSWORD);
        await click('form[action$="/login"] button[type="submit"]');
        assert.equal(await page.locator('fieldset.optional-items input[type="checkbox"]').count(), 3, 'three optional items');
        assert.ok(await page.locator('#purpose-age').isVisible(), 'the purpose of the age item is shown');
        await shoot('consent');
        const toShop = await tab.shop.next(() => page.click('button[name="decision"][value="allow"]'));
        assert.ok(toShop.searchParams.get('code'), `the shop got a code: ${toShop.href}`);

        // An ISP with a legal basis for plaintext identity: consent, then its own release screen.
        await go(authorizeUrl(app.url, bankClient, { scope: 'openid identity' }).url.href);
        await click('button[name="decision"][value="allow"]');
        assert.ok(await page.locator('.release-values').isVisible(), 'the identity release screen lists the values');
        await shoot('identity-release');
        const toBank = await tab.bank.next(() => page.click('button[name="decision"][value="release"]'));
        assert.ok(toBank.searchParams.get('code'), `the bank got a code: ${toBank.href}`);

        // An ISP that requires substantial identity assurance: this citizen's is low (document facts).
        const strictClient: TestClient = await createClient(app.container, { name: names.shop, scope: 'openid', redirectUris: [`${SHOP_ORIGIN}/strict`], minIdentityAssurance: 'substantial' });
        await go(authorizeUrl(app.url, strictClient).url.href, 403);
        await audit('assurance-required');
        // An ISP that must have two-step sign-in (an essential acr) for a citizen without a second
        // factor: the honest step-up page, not a silent downgrade.
        await go(authorizeUrl(app.url, shopClient, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_PASSWORD_TOTP] } } }) }).url.href, 403);
        assert.ok(await page.locator('#step-up').isVisible(), 'the step-up page');
        await audit('step-up, essential');

        // The citizen's own pages.
        await go('/account/login');
        await shoot('account-login');
        /** Fills and sends the account sign-in form on the page shown; `expected` is the answer's status. */
        const submitAccountLogin = async (password: string, expected = 200) => {
          await page.fill('#cyberspace_id', cyberspaceId);
          await page.fill('#password', password);
          await click('form[action="/account/login"] button[type="submit"]', expected);
        };
        await submitAccountLogin('not my password', 400);
        await audit('account-login, wrong password');
        await submitAccountLogin(PASSWORD);
        assert.equal(new URL(page.url()).pathname, '/account');
        assert.ok(await page.locator('li.account-notice').count() >= 2, 'the overview shows the notices of the first sign-ins');
        await shoot('dashboard');
        await shoot('dashboard-mobile', MOBILE);
        // The dashboard's pages, each reached from the navigation.
        await click('nav.account-nav a[href="/account/services"]');
        assert.equal(await page.locator('tr.connection').count(), 2, 'the services page lists both ISPs');
        await shoot('account-services');
        await shoot('account-services-mobile', MOBILE);
        // On a 390 px phone the page does not scroll sideways and every Revoke button is in view.
        await page.setViewportSize({ width: 390, height: 844 });
        assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 390, 'the services page is no wider than the phone');
        for (const button of await page.locator('tr.connection button[type="submit"]').all()) {
          const box = (await button.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= 390, `a Revoke button is on screen (x ${box.x}, width ${box.width})`);
        }
        await page.setViewportSize(DESKTOP);
        await click('nav.account-nav a[href="/account/security"]');
        await shoot('account-security');
        await click('a[href="/account/contacts"]');
        await audit('notice addresses (no email or SMS configured here)');
        await click('nav.account-nav a[href="/account/guardianship"]');
        await shoot('account-guardianship');
        await click('a[href="/account/children/apply"]');
        await audit('the privacy notice for a child\'s application');
        await click('nav.account-nav a[href="/account/data"]');
        await shoot('account-data');
        await click('nav.account-nav a[href="/account/activity"]');
        await shoot('account-activity');
        // Dismissing a notice brings the overview back without it.
        await go('/account');
        const notices = await page.locator('li.account-notice').count();
        await click('li.account-notice form button[type="submit"]');
        assert.equal(await page.locator('li.account-notice').count(), notices - 1, 'one notice dismissed');
        await audit('overview after dismissing a notice');
        await go('/account/assurance');
        await audit('assurance');
        await go('/account/password');
        await audit('password');
        await page.fill('#current_password', 'not my password');
        await page.fill('#password', 'short');
        await click('form[action="/account/password"] button[type="submit"]', 400);
        await audit('password, errors');
        await go('/account/two-factor');
        assert.ok(await page.locator('figure.qr svg').isVisible(), 'the enrolment page shows its QR code');
        await shoot('two-factor');
        // The passkey list with none yet (adding one needs an authenticator: test/browser/passkeys.test.ts).
        await go('/account/passkeys');
        await audit('passkeys');
        await go('/recover');
        await shoot('recover');
        await click('form[action="/recover"] button[type="submit"]', 400);
        await audit('recover, errors');
        await go('/interaction/this-sign-in-has-expired', 400);
        await shoot('error');

        // Signing out of Cyberspace ID (RP-initiated logout without an ISP to return to).
        await go('/session/end');
        await shoot('logout');
        await click('button[name="logout"][value="yes"]');
        await shoot('logged-out');

        // Two-step sign-in: turn on authenticator codes, sign in with a wrong then a right code,
        // then cancel the cyberspace ID (pages that only these steps reach).
        await go('/account/login');
        await submitAccountLogin(PASSWORD);
        await go('/account/two-factor');
        // On a 375 px phone the manual key is shown whole: its box is as wide as what it holds.
        await page.setViewportSize(MOBILE);
        const keyBox = await page.evaluate(`(() => { const k = document.getElementById('totp-secret'); return { scroll: k.scrollWidth, client: k.clientWidth, page: document.documentElement.scrollWidth }; })()`) as { scroll: number; client: number; page: number };
        assert.ok(keyBox.scroll <= keyBox.client, `the manual key fits its box (${keyBox.scroll} > ${keyBox.client})`);
        assert.equal(keyBox.page, MOBILE.width, 'the enrolment page does not scroll sideways');
        await page.setViewportSize(DESKTOP);
        const totp = new TOTP({ secret: Secret.fromBase32((await page.textContent('#totp-secret'))!.replace(/[\s-]/g, '')), digits: 6, period: 30 });
        await page.fill('#code', totp.generate());
        await click('form[action="/account/two-factor"] button[type="submit"]');
        // Turning it on answers with the ten recovery codes, shown this once; on a 375 px phone
        // they fit without scrolling sideways.
        assert.equal(await page.locator('#recovery-codes li').count(), 10, 'the recovery codes are shown');
        await shoot('recovery-codes');
        await page.setViewportSize(MOBILE);
        assert.equal(await page.evaluate('document.documentElement.scrollWidth'), MOBILE.width, 'the recovery codes page does not scroll sideways');
        await page.setViewportSize(DESKTOP);
        await click('#recovery-codes-saved');
        await go('/account/recovery-codes');
        await audit('recovery codes: how many are left, make new ones');
        await click('form[action="/account/recovery-codes"] button[type="submit"]', 400);
        await audit('recovery codes, no password');
        await go('/account');
        await click('form[action="/account/logout"] button[type="submit"]'); // waits for the page it lands on
        await go('/account/login');
        await submitAccountLogin(PASSWORD);
        await audit('login-code');
        await page.fill('#code', '000000' === totp.generate() ? '111111' : '000000');
        await click('form[action="/account/login/code"] button[type="submit"]', 400);
        await audit('login-code, wrong code');
        // Enrolment spent the current step's code (each code once); the next step's is accepted (±1 step).
        await page.fill('#code', totp.generate({ timestamp: Date.now() + 30_000 }));
        await click('form[action="/account/login/code"] button[type="submit"]');
        // Recovery by document facts alone on an account with a second factor waits (and says so).
        await go('/recover');
        await page.fill('#cyberspace_id', cyberspaceId);
        await page.selectOption('#document_type', people.applicant.documentType);
        await page.fill('#document_number', people.applicant.documentNumber);
        await page.fill('#name', people.applicant.name);
        await page.fill('#birth_date', people.applicant.birthDate);
        await page.fill('#password', `${PASSWORD} again`);
        await click('form[action="/recover"] button[type="submit"]', 202);
        await audit('recover-waiting');
        await go('/account/data');
        await click('a[href="/account/cancel"]');
        await shoot('account-cancel');
        await click('form[action="/account/cancel"] button[type="submit"]', 400);
        await audit('account-cancel, not confirmed');
        await page.check('#cancel-understood');
        await page.fill('#cancel-password', PASSWORD);
        await click('form[action="/account/cancel"] button[type="submit"]');
        await audit('account-cancelled');
      } finally {
        await tab.close();
      }
      tab.assertAllLoaded();

      // A 15-year-old whose guardian has approved the account but not yet this ISP.
      const guardian = await adultWithIdentity(app.container, `监护人${locale === 'en' ? '甲' : '乙'}`);
      await confirmGuardianOf(app.container, guardian, people.minor);
      const ward = await app.container.applications.apply({ ...people.minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
      const wardRow = await app.container.citizenQueries.findCitizenByCyberspaceId(ward.cyberspaceId);
      await app.container.guardianship.approveAccount(guardian.citizen, wardRow!.id);
      const minorTab = await openTab(locale);
      try {
        await minorTab.go(authorizeUrl(app.url, shopClient, { scope: 'openid verified' }).url.href);
        await minorTab.page.fill('#cyberspace_id', ward.cyberspaceId);
        await minorTab.page.fill('#password', PASSWORD);
        await minorTab.click('form[action$="/login"] button[type="submit"]');
        await minorTab.click('button[name="decision"][value="allow"]');
        assert.ok((await minorTab.page.locator('h1').innerText()).trim(), 'the guardian-pending page has a heading');
        assert.ok(await minorTab.page.locator(`form[action$="/guardian"]`).isVisible(), 'it offers the way back to the ISP');
        await minorTab.shoot('guardian-pending');
      } finally {
        await minorTab.close();
      }
      minorTab.assertAllLoaded();
    });
  }

  it('finds no WCAG 2.2 A or AA violation (axe-core) on any page or error state, in either language, on a phone or a desktop', () => {
    assert.deepEqual(accessibilityFindings, [], 'accessibility violations');
  });

  it('audited every page the provider renders (every view but the ones named with a reason)', () => {
    const views = readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.ejs')).map((f) => f.replace(/\.ejs$/, ''));
    assert.deepEqual(Object.keys(NOT_WALKED).filter((v) => !views.includes(v)), [], 'NOT_WALKED names views that do not exist');
    const forgotten = views.filter((v) => !NOT_WALKED[v] && !viewsAudited.has(v));
    assert.deepEqual(forgotten, [], 'views no test walks through and audits: add them to the walk');
  });

  it('audited every page the app’s router answers (every GET route but the ones named with a reason)', () => {
    const pages = app.routes.filter((route) => route.methods.includes('GET'));
    assert.deepEqual(Object.keys(NOT_PAGES).filter((path) => !pages.some((route) => route.path === path)), [], 'NOT_PAGES names routes that do not exist');
    const elsewhere = (path: string) => Object.keys(WALKED_ELSEWHERE).some((area) => path === area || path.startsWith(`${area}/`));
    const forgotten = pages.filter((route) => !NOT_PAGES[route.path] && !elsewhere(route.path) && ![...pathsAudited].some((path) => route.matches(path)));
    assert.deepEqual(forgotten.map((route) => route.path), [], 'pages no test walks through and audits: add them to the walk');
  });

  it('saved every screenshot, none empty, and docs/screenshots/README.md shows each one', async () => {
    const missing: string[] = [];
    for (const locale of LOCALES) {
      for (const name of SCREENSHOTS) {
        const path = file(name, locale);
        if (!existsSync(path)) {
          missing.push(`${name}.${locale}.png (missing)`);
          continue;
        }
        if (statSync(path).mtimeMs < runStarted) {
          missing.push(`${name}.${locale}.png (not written by this run)`);
          continue;
        }
        const png = readFileSync(path);
        const signature = png.subarray(0, 8).toString('hex') === '89504e470d0a1a0a';
        const width = png.readUInt32BE(16);
        const height = png.readUInt32BE(20);
        if (!signature || png.length < 5_000 || width < 300 || height < 300) missing.push(`${name}.${locale}.png (${png.length} bytes, ${width}×${height})`);
      }
    }
    assert.deepEqual(missing, [], 'screenshots missing or empty');
    // The gallery shows every screenshot; it and the project README show no image the run does not make.
    const images = (markdown: string) => [...readFileSync(markdown, 'utf8').matchAll(/\]\(([^)\s]+\.png)\)/g)].map((m) => m[1]!);
    const gallery = images(inOutDir('README.md'));
    const absent = LOCALES.flatMap((locale) => SCREENSHOTS.map((name) => `${name}.${locale}.png`)).filter((image) => !gallery.includes(image));
    assert.deepEqual(absent, [], 'docs/screenshots/README.md leaves out screenshots');
    const unknown = [
      ...gallery.map((image) => inOutDir(image)),
      ...images(REPO_README).filter((image) => image.startsWith('docs/screenshots/')).map((image) => fileURLToPath(new URL(`../../${image}`, import.meta.url))),
    ].filter((path) => !existsSync(path));
    assert.deepEqual(unknown, [], 'a README shows screenshots the run does not make');
  });
});
