// The citizen pages speak Simplified Chinese and English. The language comes from an explicit
// switch on the page (remembered in a cookie), else the ISP's ui_locales (OIDC Core §3.1.2.1),
// else Accept-Language, else Simplified Chinese.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { LOCALE_COOKIE } from '../../src/web/locale.js';
import { expectPage, htmlLang, openLogin, submitLogin, alertText, type TestClient } from './web-support.js';

const h1 = (page: { document: { querySelector(s: string): { text: string } | null } }) => page.document.querySelector('h1')?.text.trim();

describe('page language', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Locale ISP' });
  });
  after(async () => app.stop());

  describe('ui_locales from the ISP', () => {
    it('ui_locales=en gives an English sign-in page even when the browser prefers Chinese', async () => {
      const { page } = await openLogin(app.url, client, { params: { ui_locales: 'en' }, headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
      assert.equal(htmlLang(page), 'en');
      assert.equal(h1(page), en['login.title']);
    });

    it('ui_locales=zh-CN gives a Chinese sign-in page even when the browser prefers English', async () => {
      const { page } = await openLogin(app.url, client, { params: { ui_locales: 'zh-CN' }, headers: { 'accept-language': 'en-US,en;q=0.9' } });
      assert.equal(htmlLang(page), 'zh-CN');
      assert.equal(h1(page), zhCN['login.title']);
    });

    it('the first supported tag of ui_locales wins', async () => {
      const { page } = await openLogin(app.url, client, { params: { ui_locales: 'fr-FR en zh-CN' }, headers: { 'accept-language': 'zh-CN' } });
      assert.equal(htmlLang(page), 'en');
    });

    it('ui_locales keeps applying after a failed sign-in and on the consent page', async () => {
      const citizen = await createCitizen(app.container);
      const opened = await openLogin(app.url, client, { params: { ui_locales: 'en' }, headers: { 'accept-language': 'zh-CN' } });
      const failed = expectPage(await submitLogin(opened, citizen.cyberspace_id, 'wrong password'), 'the sign-in page again');
      assert.equal(htmlLang(failed), 'en');
      assert.equal(alertText(failed), en['login.error.invalid_credentials']);
      const consent = expectPage(await submitLogin({ browser: opened.browser, page: failed }, citizen.cyberspace_id, citizen.password), 'the consent page');
      assert.equal(htmlLang(consent), 'en');
      assert.equal(h1(consent), en['consent.title'].replace('{client}', 'Locale ISP'));
    });
  });

  describe('Accept-Language when there is no ui_locales', () => {
    for (const [header, lang] of [
      ['en-GB,en;q=0.9,zh-CN;q=0.8', 'en'],
      ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
      ['fr;q=1, en;q=0.5, zh;q=0.4', 'en'],
      ['en;q=0.2, zh-Hans;q=0.7', 'zh-CN'],
      ['de-DE', 'zh-CN'],
    ] as const) {
      it(`Accept-Language "${header}" gives ${lang}`, async () => {
        const { page } = await openLogin(app.url, client, { headers: { 'accept-language': header } });
        assert.equal(htmlLang(page), lang);
      });
    }

    it('no Accept-Language at all gives Simplified Chinese', async () => {
      const response = await fetch(`${app.url}/`, { headers: { 'accept-language': '' } });
      assert.match(await response.text(), /<html lang="zh-CN">/);
    });
  });

  describe('the switch on the page', () => {
    it('changes the language and sticks for later pages, over Accept-Language and ui_locales', async () => {
      const browser = new Browser(app.url, { 'accept-language': 'zh-CN' });
      const { page } = await openLogin(app.url, client, { browser });
      assert.equal(htmlLang(page), 'zh-CN');
      const link = page.document.querySelector('a.lang');
      assert.ok(link, 'a language switch link');
      assert.equal(link.text.trim(), zhCN['lang.switch']);
      assert.equal(link.getAttribute('lang'), 'en', 'the link is labelled in the language it switches to');

      const switched = expectPage(await browser.navigate(new URL(link.getAttribute('href')!, page.url).href), 'the switched page');
      assert.equal(switched.status, 200);
      assert.equal(htmlLang(switched), 'en');
      assert.equal(h1(switched), en['login.title'], 'the same sign-in page, now in English');
      assert.equal(browser.cookies.get(LOCALE_COOKIE), 'en');

      const later = await openLogin(app.url, client, { browser, params: { ui_locales: 'zh-CN' } });
      assert.equal(htmlLang(later.page), 'en', 'the explicit choice sticks');
      const home = expectPage(await browser.navigate('/'), 'the home page');
      assert.equal(htmlLang(home), 'en');

      const back = expectPage(await browser.navigate(home.document.querySelector('a.lang')!.getAttribute('href')!), 'the home page in Chinese');
      assert.equal(htmlLang(back), 'zh-CN');
      assert.equal(browser.cookies.get(LOCALE_COOKIE), 'zh-CN');
    });

    it('on the page shown after a failed sign-in, leads back to the sign-in page (not to a POST-only address)', async () => {
      const opened = await openLogin(app.url, client, { headers: { 'accept-language': 'zh-CN' } });
      const failed = expectPage(await submitLogin(opened, '', ''), 'the sign-in page with an error');
      const href = failed.document.querySelector('a.lang')!.getAttribute('href')!;
      const switched = expectPage(await opened.browser.navigate(new URL(href, failed.url).href), 'the switched page');
      assert.equal(switched.status, 200, `switch link ${href} should open a page`);
      assert.equal(htmlLang(switched), 'en');
      assert.ok(switched.document.querySelector('form[action$="/login"]'), 'still the sign-in form');
    });

    it('ignores an unsupported ?lang= value', async () => {
      const browser = new Browser(app.url, { 'accept-language': 'en' });
      const page = expectPage(await browser.navigate('/?lang=fr'), 'the home page');
      assert.equal(htmlLang(page), 'en');
      assert.equal(browser.cookies.get(LOCALE_COOKIE), undefined);
    });
  });

  describe('the translation tables', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

    it('have exactly the same keys', () => {
      assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
    });

    it('have no empty or untranslated-looking strings', () => {
      for (const [name, table] of [['en', en], ['zh-CN', zhCN]] as const) {
        for (const [key, text] of Object.entries(table)) {
          assert.ok(typeof text === 'string' && text.trim().length > 0, `${name} ${key} is empty`);
          assert.notEqual(text.trim(), key, `${name} ${key} is just its key`);
        }
      }
    });

    it('use the same placeholders in both languages', () => {
      for (const key of Object.keys(en) as Array<keyof typeof en>) {
        assert.deepEqual(placeholders(zhCN[key]), placeholders(en[key]), `placeholders of ${key}`);
      }
    });

    it('Chinese strings are in Chinese, not English left untranslated (except the switch label)', () => {
      const exempt = new Set(['lang.switch']);
      for (const [key, text] of Object.entries(zhCN)) {
        if (exempt.has(key)) continue;
        // Words in Latin letters with no Chinese character or punctuation at all: untranslated.
        const english = /[A-Za-z]{3,}/.test(text) && !/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(text);
        assert.ok(!english, `zh-CN ${key} looks untranslated: ${text}`);
      }
    });
  });
});
