// Keyboard only, in Debian's Chromium (issue 12): a citizen who cannot use a pointer applies,
// signs in at an ISP, consents and uses the dashboard with Tab, Space and Enter alone. Every
// element that takes focus shows it (an outline or ring, WCAG 2.4.7), errors are announced
// (role="alert") and each one leads to its field, and no step needs a mouse. JavaScript is off,
// as the pages promise to work without it.
import assert from 'node:assert/strict';
import { ACCOUNT_PAGES } from '../../src/routes/account-nav.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { authorizeUrl } from '../support/flow.js';
import { seedSandbox } from '../support/citizen-pages.js';
import { ispReturns, launchChromium } from '../support/chromium.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

const ISP_ORIGIN = 'https://keys.isp.example';
const PASSWORD = 'only the keyboard knows this one';
const BIRTH = { year: '1986', month: '07', day: '21' };
const first17 = `110105${BIRTH.year}${BIRTH.month}${BIRTH.day}314`;
const IDENTITY: IdentityClaim = { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name: '键盘用户', birthDate: `${BIRTH.year}-${BIRTH.month}-${BIRTH.day}` };

/** What the focused element is and whether its focus can be seen (outline or box-shadow ring). */
type Focused = { selector: string; tag: string; visible: boolean; style: string };
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow !== 'none';
  const name = el.getAttribute('name'), value = el.getAttribute('value');
  const selector = el.id ? '#' + el.id : el.tagName.toLowerCase() + (name ? '[name="' + name + '"]' : '') + (value ? '[value="' + value + '"]' : '') + (el.getAttribute('href') ? '[href="' + el.getAttribute('href') + '"]' : '');
  return { selector, tag: el.tagName.toLowerCase(), visible: outline || ring, style: s.outlineStyle + ' ' + s.outlineWidth + ' / ' + s.boxShadow };
})()`;

describe('keyboard only, in Chromium: apply, sign in, consent, dashboard', function () {
  this.timeout(120_000);
  let app: TestApp;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let cyberspaceId = '';
  let client: Awaited<ReturnType<typeof createClient>>;

  // The steps hand on to each other: once one fails, the rest are skipped.
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') broken = true;
  });

  before(async () => {
    chromium = await launchChromium();
    app = await startTestApp();
    await seedSandbox(app.container, IDENTITY);
    client = await createClient(app.container, { name: 'Keyboard ISP', scope: 'openid age', redirectUris: [`${ISP_ORIGIN}/callback`] });
    context = await chromium.newContext({ javaScriptEnabled: false, locale: 'en-US', viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
    await app?.stop();
  });

  const focused = async () => (await page.evaluate(FOCUSED)) as Focused | null;
  const seen: string[] = [];

  /** Presses Tab until `selector` has focus, checking that every stop on the way shows its focus. */
  async function tabTo(selector: string, limit = 80): Promise<void> {
    for (let presses = 0; presses < limit; presses++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      if (!now) continue;
      seen.push(`${new URL(page.url()).pathname} ${now.selector}`);
      assert.ok(now.visible, `${now.selector} on ${page.url()} shows no focus indicator (${now.style})`);
      if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
    }
    assert.fail(`${selector} was not reached with ${limit} presses of Tab on ${page.url()}`);
  }

  /** Presses `key` on the focused element and waits for the page it loads. */
  async function pressAndLoad(key: string): Promise<number | undefined> {
    const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
    return response?.status();
  }

  it('applies: the skip link comes first, the notice is ticked with Space, errors are announced and lead to their fields', async () => {
    await page.goto(`${app.url}/apply`);
    await page.keyboard.press('Tab');
    const first = await focused();
    assert.equal(first?.selector, 'a[href="#main"]', 'the first Tab reaches the skip link');
    assert.ok(first.visible && (await page.locator('a.skip').boundingBox())!.x >= 0, 'and it is on screen when focused');

    await tabTo('#accept');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#accept'), true);
    await tabTo('form[action="/apply"] button[type="submit"]');
    assert.equal(await pressAndLoad('Enter'), 200);

    // Sent empty: the summary is announced and each entry's link moves focus to its field.
    await tabTo('form[action="/apply/submit"] button[type="submit"]');
    assert.equal(await pressAndLoad('Enter'), 400);
    assert.equal(await page.getAttribute('#form-errors', 'role'), 'alert', 'the error summary is announced');
    const targets = await page.locator('#form-errors a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    assert.ok(targets.length >= 2, `the summary lists the missing fields: ${targets.join(', ')}`);
    await tabTo('#form-errors a');
    await page.keyboard.press('Enter');
    assert.equal(`#${(await focused())?.selector.slice(1)}`, targets[0], 'Enter on the first error puts focus in its field');
    for (const target of targets) {
      const field = page.locator(target);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `${target} is marked invalid`);
      const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy.split(' ').some((id) => id.endsWith('-error')), `${target}'s error text is linked to it (${describedBy})`);
    }
  });

  it('applies: fills every field by typing, then Enter submits and shows the new ID', async () => {
    assert.equal(await page.inputValue('#document_type'), IDENTITY.documentType, 'the resident ID is the preselected document');
    await tabTo('#document_number');
    await page.keyboard.type(IDENTITY.documentNumber);
    await tabTo('#name');
    await page.keyboard.type(IDENTITY.name);
    await tabTo('#birth_date');
    await page.keyboard.type(`${BIRTH.month}${BIRTH.day}${BIRTH.year}`); // Chromium's en-US date field: mm/dd/yyyy
    assert.equal(await page.inputValue('#birth_date'), IDENTITY.birthDate);
    await tabTo('#password');
    await page.keyboard.type(PASSWORD);
    assert.equal(await pressAndLoad('Enter'), 201, await page.innerText('main'));
    cyberspaceId = (await page.innerText('#new-cyberspace-id')).trim();
    assert.ok(cyberspaceId);
  });

  it('signs in at an ISP and consents with Tab and Enter', async () => {
    const { url } = authorizeUrl(app.url, client, { scope: 'openid age' });
    await page.goto(url.href);
    assert.equal(await (await focused())?.selector, '#cyberspace_id', 'the ID field has focus on arrival (autofocus)');
    await page.keyboard.type(cyberspaceId);
    await tabTo('#password');
    await page.keyboard.type('a wrong password');
    assert.equal(await pressAndLoad('Enter'), 400);
    assert.equal(await page.getAttribute('#login-error', 'role'), 'alert', 'the refusal is announced');
    assert.equal((await focused())?.selector, '#password', 'focus is back in the password field');
    await page.keyboard.type(PASSWORD);
    assert.equal(await pressAndLoad('Enter'), 200);

    // Consent: the optional item can be unticked with Space, then Allow with Enter.
    await tabTo('#scope-age');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#scope-age'), false);
    await tabTo('button[name="decision"][value="allow"]');
    const callback = await ispReturns(page, ISP_ORIGIN).next(() => page.keyboard.press('Enter'));
    assert.ok(callback.searchParams.get('code'), `the ISP got a code: ${callback.href}`);
  });

  it('uses the dashboard: signs in, reaches every control with Tab, each one visibly focused', async () => {
    await page.goto(`${app.url}/account/login`);
    await tabTo('#cyberspace_id');
    await page.keyboard.type(cyberspaceId);
    await tabTo('#password');
    await page.keyboard.type(PASSWORD);
    assert.equal(await pressAndLoad('Enter'), 200);
    assert.equal(new URL(page.url()).pathname, '/account');

    // Every focusable thing on the page, in order, until Tab comes round to the start.
    const controls = await page.locator('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])').count();
    const stops = new Set<string>();
    for (let presses = 0; presses < controls + 5; presses++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      if (!now) break; // past the last control, focus leaves the page
      assert.ok(now.visible, `${now.selector} shows no focus indicator (${now.style})`);
      stops.add(now.selector);
    }
    for (const href of ACCOUNT_PAGES.map((p) => p.href)) assert.ok(stops.has(`a[href="${href}"]`), `the navigation to ${href} is reachable: ${[...stops].join(', ')}`);
    await tabTo('form[action="/account/logout"] button'); // signing out is reachable (tabTo fails if not)

    // To the connected services with the keyboard, and revoke the ISP there.
    await tabTo('nav.account-nav a[href="/account/services"]');
    assert.equal(await pressAndLoad('Enter'), 200);
    assert.equal(new URL(page.url()).pathname, '/account/services');
    await tabTo(`form[action="/account/connections/${encodeURIComponent(client.client_id)}/revoke"] button`);
    assert.equal(await pressAndLoad('Enter'), 200);
    assert.match(page.url(), /\/account\/services\?done=revoked/);

    // Cancelling is reachable from the data page.
    await tabTo('nav.account-nav a[href="/account/data"]');
    assert.equal(await pressAndLoad('Enter'), 200);
    await tabTo('a[href="/account/cancel"]');
    assert.equal(await pressAndLoad('Enter'), 200);
    assert.equal(new URL(page.url()).pathname, '/account/cancel');
    assert.ok(seen.length > 10, 'the walk went through the pages by Tab');
  });
});
