// The citizen pages in a real browser (Debian's Chromium through playwright-core): the whole
// sign-in works with JavaScript switched off, the stylesheet applies under the CSP, the CSP
// blocks nothing we ship, keyboard focus follows the reading order and is visible, and the
// pages fit a 320-pixel-wide phone.
import assert from 'node:assert/strict';
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { authorizeUrl } from '../support/flow.js';
import { launchChromium } from '../support/chromium.js';
import type { TestClient } from './web-support.js';

describe('the citizen pages in Chromium', function () {
  this.timeout(120_000);
  let app: TestApp;
  let client: TestClient;
  let citizen: { cyberspace_id: string; password: string };
  let browser: Chromium;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];

  before(async () => {
    browser = await launchChromium();
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Browser ISP' });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function newPage(options: { locale?: string; width?: number } = {}) {
    context = await browser.newContext({ javaScriptEnabled: false, locale: options.locale ?? 'en-GB', viewport: { width: options.width ?? 1024, height: 800 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
  }
  beforeEach(async () => {
    // A fresh citizen each time: consent, once given, is remembered per citizen and ISP.
    citizen = await createCitizen(app.container);
    cspViolations = [];
    await newPage();
  });
  afterEach(async () => {
    assert.deepEqual(cspViolations, [], 'the CSP blocked something the page tried to use');
    await context.close();
  });

  // prompt=consent: the citizen's consent is remembered, and these tests need the consent page again.
  const openLogin = async (params: Record<string, string> = {}) => {
    await page.goto(authorizeUrl(app.url, client, { prompt: 'consent', ...params }).url.href);
    await page.waitForSelector('#cyberspace_id');
  };
  const signIn = async () => {
    await page.fill('#cyberspace_id', citizen.cyberspace_id.toLowerCase());
    await page.fill('#password', citizen.password);
    await page.click('form[action$="/login"] button[type="submit"]');
    await page.waitForSelector('form[action$="/confirm"]');
  };
  // Code run in the page is written as strings: this project compiles without the DOM types.
  const inPage = <T>(expression: string) => page.evaluate(expression) as Promise<T>;
  /** What has keyboard focus, described by id, else by tag and class. */
  const focused = () =>
    inPage<string>(`(() => {
      const el = document.activeElement;
      return el.id ? '#' + el.id : [el.tagName.toLowerCase(), ...el.classList].join('.');
    })()`);

  /** Clicks and returns the address the browser is sent to at the ISP (which is not running). */
  const clickToIsp = async (selector: string) => {
    const [request] = await Promise.all([page.waitForRequest((r) => r.url().startsWith('https://isp.example/')), page.click(selector, { noWaitAfter: true })]);
    return new URL(request.url());
  };

  it('signs in and consents with JavaScript switched off; the ISP gets a code and its state', async () => {
    const { url, state } = authorizeUrl(app.url, client);
    await page.goto(url.href);
    await signIn();
    const callback = await clickToIsp('button[value="allow"]');
    assert.equal(callback.origin + callback.pathname, client.redirect_uri);
    assert.ok(callback.searchParams.get('code'));
    assert.equal(callback.searchParams.get('state'), state);
  });

  it('Deny with JavaScript switched off returns access_denied to the ISP', async () => {
    await openLogin();
    await signIn();
    const callback = await clickToIsp('button[value="deny"]');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
  });

  it('applies the stylesheet under the CSP', async () => {
    await openLogin();
    const styles = await inPage<{ masthead: string; mainPaddingTop: number }>(`({
      masthead: getComputedStyle(document.querySelector('.masthead')).backgroundColor,
      mainPaddingTop: parseFloat(getComputedStyle(document.querySelector('main')).paddingTop),
    })`);
    assert.equal(styles.masthead, 'rgb(164, 22, 26)', 'site.css is applied');
    assert.ok(styles.mainPaddingTop >= 16, `the content does not touch the masthead (padding-top ${styles.mainPaddingTop}px)`);
  });

  it('starts on the ID field, and Tab follows the reading order of the sign-in page', async () => {
    await openLogin();
    assert.equal(await focused(), '#cyberspace_id', 'autofocus on the first field');
    const forward: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      forward.push(await focused());
    }
    assert.deepEqual(forward, ['#password', 'button.button', 'button.link-button', 'a', 'a'], 'then the way out, then apply and recovery');
    assert.deepEqual(await inPage(`document.activeElement.getAttribute('href')`), '/recover');
    await page.focus('#cyberspace_id');
    const backward: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      await page.keyboard.press('Shift+Tab');
      backward.push(await focused());
    }
    assert.deepEqual(backward, ['a.lang', 'a.brand', 'a.skip'], 'before the form: the language switch, the home link, the skip link first');
  });

  it('shows the skip link when it has focus, and a visible focus ring on every control', async () => {
    await openLogin();
    await page.focus('a.skip');
    assert.equal(await focused(), 'a.skip');
    const skip = await page.locator('a.skip').boundingBox();
    assert.ok(skip && skip.x >= 0 && skip.y >= 0, `the focused skip link is on screen: ${JSON.stringify(skip)}`);
    for (let i = 0; i < 7; i += 1) {
      const ring = await inPage<{ outline: boolean; shadow: boolean; what: string }>(`(() => {
        const style = getComputedStyle(document.activeElement);
        return { outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2, shadow: style.boxShadow !== 'none', what: document.activeElement.outerHTML.slice(0, 60) };
      })()`);
      assert.ok(ring.outline || ring.shadow, `no focus indicator on ${ring.what}`);
      await page.keyboard.press('Tab');
    }
  });

  it('on the consent page, Allow and Deny sit side by side and neither is pre-focused', async () => {
    await openLogin();
    await signIn();
    const [allow, deny] = await Promise.all([page.locator('button[value="allow"]').boundingBox(), page.locator('button[value="deny"]').boundingBox()]);
    assert.ok(allow && deny);
    assert.equal(Math.round(allow.y), Math.round(deny.y), 'both buttons on one line');
    assert.equal(await focused(), 'body', 'nothing pre-focused');
  });

  for (const [name, open] of [
    ['sign-in', async () => openLogin()],
    ['consent', async () => { await openLogin(); await signIn(); }],
    ['home', async () => { await page.goto(`${app.url}/`); }],
  ] as const) {
    it(`the ${name} page fits a 320px-wide screen without sideways scrolling, in both languages`, async () => {
      for (const locale of ['en', 'zh-CN']) {
        await context.close();
        await newPage({ locale, width: 320 });
        await open();
        const { scrollWidth, clientWidth, lang } = await inPage<{ scrollWidth: number; clientWidth: number; lang: string }>(`({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          lang: document.documentElement.lang,
        })`);
        assert.equal(lang, locale);
        assert.ok(scrollWidth <= clientWidth, `${name} (${locale}) is ${scrollWidth}px wide on a ${clientWidth}px screen`);
      }
    });
  }
});
