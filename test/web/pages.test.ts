// Every citizen page is a serious public service page: one shared layout, one <main> and one
// <h1>, a language, labelled inputs, a sane focus order, no script or inline style (the one
// exception: the passkey script, by its hash, on pages with a passkey form; and a CSP that
// forbids every other script), not frameable; error pages give a reference, never a stack.
import { PASSKEY_SCRIPT_INTEGRITY, PASSKEY_SCRIPT_PATH } from '../../src/web/passkey-script.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { HTMLElement } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, type Page } from '../support/browser.js';
import { createApp } from '../../src/app.js';
import { PUBLIC_DIR } from '../../src/paths.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { CONSENT_FORM, expectPage, mainText, openConsent, openLogin, submitLogin, type TestClient } from './web-support.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const LABELLED_INPUT = 'input:not([type="hidden"]):not([type="submit"]):not([type="button"]):not([type="reset"]):not([type="image"]), select, textarea';

/** The structural and security rules every HTML page we render must follow. */
function checkPage(page: Page, name: string) {
  const doc = page.document;
  const all = doc.querySelectorAll('*');
  const where = `${name} (${page.url})`;

  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, where);
  assert.match(page.html, /^<!DOCTYPE html>/i, `${where}: a standards-mode document`);
  assert.ok(['zh-CN', 'en'].includes(doc.querySelector('html')?.getAttribute('lang') ?? ''), `${where}: <html lang>`);
  assert.ok(doc.querySelector('title')?.text.trim(), `${where}: a title`);
  assert.ok(doc.querySelector('meta[name="viewport"]'), `${where}: responsive viewport`);
  assert.equal(doc.querySelectorAll('main').length, 1, `${where}: exactly one <main>`);
  assert.equal(doc.querySelectorAll('h1').length, 1, `${where}: exactly one <h1>`);
  assert.ok(doc.querySelector('main h1'), `${where}: the <h1> is in <main>`);
  assert.equal(doc.querySelectorAll('header').length, 1, `${where}: the shared layout's header`);
  assert.equal(doc.querySelectorAll('footer').length, 1, `${where}: the shared layout's footer`);

  // The shared stylesheet, and nothing inline.
  const sheets = doc.querySelectorAll('link[rel="stylesheet"]').map((link) => link.getAttribute('href'));
  assert.deepEqual(sheets, ['/static/site.css'], `${where}: the one stylesheet`);
  // No script, except the one passkey script (external, by its hash) on pages with a passkey form.
  const scripts = doc.querySelectorAll('script');
  if (doc.querySelector('form[data-passkey]')) {
    assert.deepEqual(scripts.map((s) => [s.getAttribute('src'), s.getAttribute('integrity'), s.innerHTML.trim()]), [[PASSKEY_SCRIPT_PATH, PASSKEY_SCRIPT_INTEGRITY, '']], `${where}: only the passkey script`);
  } else {
    assert.equal(scripts.length, 0, `${where}: no <script>`);
    assert.doesNotMatch(page.html, /<script/i, `${where}: no <script>`);
  }
  assert.equal(doc.querySelectorAll('style').length, 0, `${where}: no <style>`);
  for (const element of all) {
    for (const attribute of Object.keys(element.attributes)) {
      assert.doesNotMatch(attribute, /^on/i, `${where}: event handler attribute ${attribute} on <${element.tagName}>`);
      assert.notEqual(attribute.toLowerCase(), 'style', `${where}: style attribute on <${element.tagName}>`);
    }
    for (const attribute of ['href', 'action', 'src', 'formaction']) {
      assert.doesNotMatch(element.getAttribute(attribute) ?? '', /^\s*javascript:/i, `${where}: javascript: URL`);
    }
  }

  // Accessibility: labels, names, ids, focus order.
  for (const input of doc.querySelectorAll(LABELLED_INPUT)) {
    const id = input.getAttribute('id');
    assert.ok(id, `${where}: <${input.tagName} name=${input.getAttribute('name')}> has an id`);
    const label = doc.querySelector(`label[for="${id}"]`);
    assert.ok(label?.text.trim(), `${where}: input #${id} has a <label for>`);
  }
  const ids = all.map((element) => element.getAttribute('id')).filter((id): id is string => Boolean(id));
  assert.deepEqual(ids, [...new Set(ids)], `${where}: ids are unique`);
  for (const element of all) {
    for (const attribute of ['aria-describedby', 'aria-labelledby']) {
      for (const ref of (element.getAttribute(attribute) ?? '').split(/\s+/).filter(Boolean)) {
        assert.ok(ids.includes(ref), `${where}: ${attribute} points at missing #${ref}`);
      }
    }
    assert.ok(Number(element.getAttribute('tabindex') ?? 0) <= 0, `${where}: no positive tabindex (it breaks the focus order)`);
  }
  assert.ok(doc.querySelectorAll('[autofocus]').length <= 1, `${where}: at most one autofocus`);
  for (const button of doc.querySelectorAll('button')) assert.ok(button.text.trim(), `${where}: every button has a name`);
  const table = doc.querySelector('html')!.getAttribute('lang') === 'en' ? en : zhCN;
  const brand = doc.querySelectorAll('header a[href="/"] > span').filter((span) => span.getAttribute('aria-hidden') !== 'true').map((span) => span.text.replace(/\s+/g, ' ').trim());
  assert.deepEqual(brand, [`${table['site.name']} ${table['site.tagline']}`], `${where}: the home link reads "site name, tagline" as separate words`);
  for (const link of doc.querySelectorAll('a')) {
    assert.ok(link.text.trim() || link.getAttribute('aria-label'), `${where}: every link has a name`);
    assert.ok(link.getAttribute('href'), `${where}: every link goes somewhere`);
  }
  // The first thing a keyboard reaches is the skip link to <main>.
  const first = doc.querySelector('body')!.querySelector('a, button, input, select, textarea') as HTMLElement;
  assert.equal(first.getAttribute('href'), '#main', `${where}: the skip link comes first`);
  assert.equal(doc.querySelector('main')!.getAttribute('id'), 'main');
  for (const form of doc.querySelectorAll('form')) assert.equal(form.getAttribute('method')?.toLowerCase(), 'post', `${where}: forms post`);

  checkHeaders(page.headers, where, doc.querySelector('form[data-passkey]') !== null);
}

function checkHeaders(headers: Headers, where: string, passkeyScript = false) {
  const csp = headers.get('content-security-policy');
  assert.ok(csp, `${where}: a Content-Security-Policy`);
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!.toLowerCase(), values]));
  const scripts = directives.get('script-src') ?? directives.get('default-src');
  // The passkey script by its hash on the pages that load it; no script anywhere else.
  assert.deepEqual(scripts, [passkeyScript ? `'${PASSKEY_SCRIPT_INTEGRITY}'` : "'none'"], `${where}: CSP allows no script but the passkey script where it is used (${csp})`);
  assert.deepEqual(directives.get('default-src'), ["'none'"], `${where}: CSP denies by default`);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], `${where}: CSP forbids framing`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${where}: nothing unsafe in the CSP`);
  assert.ok(directives.get('style-src')?.includes("'self'"), `${where}: the stylesheet may load`);
  assert.equal(headers.get('x-frame-options'), 'DENY', `${where}: X-Frame-Options`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${where}: nosniff`);
}

/** Error pages: a request id the citizen can quote (the one in the header), no internals. */
function checkErrorPage(page: Page, status: number, name: string, secrets: string[] = []) {
  checkPage(page, name);
  assert.equal(page.status, status, name);
  const requestId = page.headers.get('x-request-id');
  assert.match(requestId ?? '', UUID, `${name}: x-request-id`);
  assert.ok(mainText(page).includes(requestId!), `${name}: the page shows the request id ${requestId}`);
  for (const leak of [/\bat .+:\d+:\d+/, /node_modules/, /\.(ts|js):\d+/, /\bError\b:/, /\/work\//, ...secrets.map((s) => new RegExp(s))]) {
    assert.doesNotMatch(page.html, leak, `${name}: no internals (${leak})`);
  }
}

describe('every citizen page', () => {
  let app: TestApp;
  let client: TestClient;
  let citizen: { cyberspace_id: string; password: string };
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Pages ISP' });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  for (const locale of ['zh-CN', 'en']) {
    describe(`in ${locale}`, () => {
      const headers = { 'accept-language': locale };

      it('the home page', async () => {
        checkPage(expectPage(await new Browser(app.url, headers).navigate('/'), 'home'), 'home');
      });

      it('the sign-in page, fresh and after each kind of error', async () => {
        const opened = await openLogin(app.url, client, { headers });
        checkPage(opened.page, 'sign-in');
        assert.equal(opened.page.document.querySelector('[autofocus]')?.getAttribute('id'), 'cyberspace_id', 'focus starts on the ID');
        for (const [id, password, focus] of [
          ['', '', 'cyberspace_id'],
          ['NOT-AN-ID', 'x', 'cyberspace_id'],
          [citizen.cyberspace_id, 'wrong', 'password'],
        ] as const) {
          const page = expectPage(await submitLogin(opened, id, password), 'the sign-in page');
          checkPage(page, `sign-in after "${id}"`);
          assert.equal(page.document.querySelector('[autofocus]')?.getAttribute('id'), focus, 'focus goes where the correction is needed');
          const alert = page.document.querySelector('[role="alert"]');
          assert.ok(alert?.text.trim(), 'the error is announced');
          assert.ok((page.document.querySelector('#password')!.getAttribute('aria-describedby') ?? '').includes(alert!.getAttribute('id')!), 'and tied to the fields');
        }
      });

      it('the consent page', async () => {
        const { page } = await openConsent(app.url, client, citizen, { headers });
        checkPage(page, 'consent');
      });

      it('the logout confirmation and the signed-out page', async () => {
        const { browser, page } = await openConsent(app.url, client, citizen, { headers });
        await browser.submit(page, CONSENT_FORM, {}, { name: 'decision', value: 'allow' });
        const confirm = expectPage(await browser.navigate('/session/end'), 'the logout confirmation');
        assert.equal(confirm.status, 200, mainText(confirm));
        checkPage(confirm, 'logout confirmation');
        const done = await browser.submit(confirm, 'form', {}, { name: 'logout', value: 'yes' });
        const signedOut = expectPage(done, 'the signed-out page');
        checkPage(signedOut, 'signed out');
      });
    });
  }

  describe('error pages', () => {
    it('404: not found', async () => {
      const page = expectPage(await new Browser(app.url).navigate('/no/such/page'), 'a 404 page');
      checkErrorPage(page, 404, '404');
    });

    it('400 from oidc-provider: an authorization request for an unknown client', async () => {
      const page = expectPage(await new Browser(app.url).navigate('/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2F'), 'a 400 page');
      checkErrorPage(page, 400, 'oidc-provider 400');
    });

    it('400: an expired or foreign interaction', async () => {
      const page = expectPage(await new Browser(app.url).navigate('/interaction/not-a-real-uid'), 'an error page');
      assert.ok(page.status >= 400 && page.status < 500, String(page.status));
      checkErrorPage(page, page.status, 'foreign interaction');
    });

    it('403: a form post without its CSRF token', async () => {
      const opened = await openLogin(app.url, client);
      const action = new URL(opened.page.document.querySelector('form')!.getAttribute('action')!, opened.page.url).href;
      const page = expectPage(await opened.browser.navigate(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'cyberspace_id=x&password=y' }), 'a 403 page');
      checkErrorPage(page, 403, 'csrf');
    });

    it('500: an unexpected failure shows only a reference, and the log has the details under the same id', async () => {
      const failing = new Router();
      failing.get('/test-only/explode', () => {
        throw new Error('database password is hunter2 at /srv/secret.ts:12:3');
      });
      // A second listener for the same issuer: it names the issuer's host, as a proxy in front
      // of several listeners would (a request for another host is refused before any route).
      const handler = createApp(app.container, { extraRouters: [failing] }).callback();
      const server = http.createServer((req, res) => {
        req.headers.host = new URL(app.url).host;
        void handler(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, resolve));
      try {
        const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
        const page = expectPage(await new Browser(origin).navigate('/test-only/explode'), 'a 500 page');
        checkErrorPage(page, 500, '500', ['hunter2', 'secret']);
        const requestId = page.headers.get('x-request-id')!;
        assert.ok(app.logs.some((line) => line.includes(requestId) && line.includes('hunter2')), 'operators can find the cause by the reference');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('answers JSON clients with JSON, also without internals', async () => {
      const response = await fetch(`${app.url}/no/such/page`, { headers: { accept: 'application/json' } });
      assert.equal(response.status, 404);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.request_id, response.headers.get('x-request-id'));
      assert.equal(body.stack, undefined);
    });
  });

  describe('the stylesheet', () => {
    it('loads from the address every page links to', async () => {
      const response = await fetch(`${app.url}/static/site.css`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/css/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.ok((await response.text()).includes(':root'));
    });

    // WCAG 2.2: 1.4.3 text contrast ≥ 4.5:1; 1.4.11 / 2.4.7 a visible focus indicator ≥ 3:1
    // against the surfaces it appears on (white cards, the grey page, the red masthead).
    const css = readFileSync(path.join(PUBLIC_DIR, 'site.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const rules = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map(([, selector, body]) => ({
      selector: selector!.trim(),
      decls: new Map([...body!.matchAll(/([\w-]+)\s*:\s*([^;]+)/g)].map(([, k, v]) => [k!.trim(), v!.trim()])),
    }));
    const vars = new Map([...(rules.find((r) => r.selector === ':root')?.decls ?? [])].filter(([k]) => k.startsWith('--')));
    const resolve = (value: string) => value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => vars.get(name) ?? 'unknown');
    const colour = (value: string | undefined): string | undefined => {
      const hex = value && /#([0-9a-f]{6}|[0-9a-f]{3})\b/i.exec(resolve(value))?.[1];
      if (hex) return hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
      return value && /\bwhite\b/i.test(value) ? 'ffffff' : undefined;
    };
    const luminance = (hex: string) => {
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const WHITE = 'ffffff';
    const PAGE = colour('var(--bg)')!;
    const MASTHEAD = colour(rules.find((r) => r.selector === '.masthead')?.decls.get('background'))!;

    it('text colours have at least 4.5:1 contrast against their backgrounds', () => {
      assert.ok(PAGE && MASTHEAD, 'the page and masthead colours are found');
      let checked = 0;
      // A state rule (.button:hover) inherits the text colour of its base rule (.button).
      const baseColour = (selector: string) => colour(rules.find((r) => r.selector === selector.replace(/:[\w-]+/g, '') && r.decls.has('color'))?.decls.get('color'));
      for (const { selector, decls } of rules) {
        const fg = colour(decls.get('color')) ?? (decls.has('background') || decls.has('background-color') ? baseColour(selector) : undefined);
        const bg = colour(decls.get('background') ?? decls.get('background-color'));
        // Rules without their own background sit on white cards or the grey page; white text sits on the masthead or a button.
        const pairs: Array<[string, string]> = fg && bg ? [[fg, bg]] : fg ? (fg === WHITE ? [[fg, MASTHEAD]] : [[fg, WHITE], [fg, PAGE]]) : bg ? [[colour('var(--ink)')!, bg]] : [];
        for (const [f, b] of pairs) {
          checked += 1;
          assert.ok(contrast(f, b) >= 4.5, `${selector}: #${f} on #${b} is ${contrast(f, b).toFixed(2)}:1`);
        }
      }
      assert.ok(checked > 10, `checked ${checked} colour pairs`);
    });

    it('the focus indicator is visible (≥ 3:1) on white, on the grey page and on the masthead', () => {
      const focusRules = rules.filter((r) => /:focus/.test(r.selector) && !/^\.skip/.test(r.selector));
      assert.ok(focusRules.length > 0, 'a focus style exists');
      for (const element of ['a', 'button', 'input']) {
        assert.ok(focusRules.some((r) => r.selector.split(',').some((s) => s.trim().startsWith(element) || s.trim().startsWith(':focus'))), `${element} has a focus style`);
      }
      for (const { selector, decls } of focusRules) {
        const rings = [...`${decls.get('outline') ?? ''} ${decls.get('box-shadow') ?? ''}`.matchAll(/#[0-9a-f]{3,6}\b|var\(--[\w-]+\)/gi)].map((m) => colour(m[0])!).filter(Boolean);
        assert.ok(rings.length > 0, `${selector}: an outline or ring colour`);
        for (const surface of [WHITE, PAGE, MASTHEAD]) {
          const best = Math.max(...rings.map((ring) => contrast(ring, surface)));
          assert.ok(best >= 3, `${selector}: focus ring on #${surface} is only ${best.toFixed(2)}:1`);
        }
      }
    });
  });

});

describe('every developer portal page', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  for (const locale of ['zh-CN', 'en']) {
    it(`follows the page rules in ${locale}, the index and each document it lists`, async () => {
      const browser = new Browser(app.url, { 'accept-language': locale });
      const index = expectPage(await browser.navigate('/developers'), 'developer portal');
      checkPage(index, 'developer portal');
      const documents = index.document.querySelectorAll('main ul.doc-list a').map((a) => a.getAttribute('href')!);
      assert.ok(documents.length >= 10, `every document is listed: ${documents.join(' ')}`);
      for (const href of documents) {
        const page = expectPage(await browser.navigate(href), href);
        assert.equal(page.status, 200, href);
        checkPage(page, href);
        assert.equal(page.document.querySelector('html')!.getAttribute('lang'), locale, `${href}: the page's language`);
        assert.equal(page.document.querySelectorAll('nav[aria-label]').length, 1, `${href}: a labelled navigation landmark`);
      }
    });
  }
});
