// Defects a first visit with axe-core found (issue 12), each pinned by a test that fails when it
// comes back. The full WCAG gate is test/browser/screenshots.test.ts (axe-core on every page).
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { applyInBrowser } from '../support/citizen-pages.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';

describe('accessibility defects that must not come back', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  const first17 = '11010519880309123';
  const wrongCheck = residentIdCheckCharacter(first17) === '0' ? '1' : '0';

  it('an invalid field says so once (aria-invalid="true", not escaped twice) and names its error text', async () => {
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), {
      documentType: 'resident_id', documentNumber: first17 + wrongCheck, name: '', birthDate: '', password: 'password',
    });
    assert.equal(page.status, 400);
    assert.doesNotMatch(page.html, /aria-invalid=&#34;|aria-describedby=&#34;|&quot;purpose/, 'attributes are not escaped into their own values');
    for (const field of ['document_number', 'name', 'password']) {
      const input = page.document.querySelector(`#${field}`)!;
      assert.equal(input.getAttribute('aria-invalid'), 'true', `${field} is marked invalid`);
      const described = (input.getAttribute('aria-describedby') ?? '').split(' ');
      assert.ok(described.includes(`${field}-error`), `${field} is described by its error (${described.join(' ')})`);
      assert.ok(page.document.querySelector(`#${field}-error`)?.text.trim(), `${field} has its error text`);
    }
  });

  it('lists errors in the order of the fields', async () => {
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), {
      documentType: 'resident_id', documentNumber: first17 + wrongCheck, name: '', birthDate: '', password: 'password',
    });
    const order = page.document.querySelectorAll('#form-errors a').map((a) => a.getAttribute('href')!.slice(1));
    const fields = page.document.querySelectorAll('form input:not([type=hidden]), form select').map((el) => el.getAttribute('id')!);
    const positions = order.map((id) => fields.indexOf(id));
    assert.ok(positions.every((p) => p >= 0), `every summary link goes to a field: ${order.join(', ')}`);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `summary order ${order.join(', ')} follows the form`);
  });

  it('gives a date hint that does not contradict the browser’s own date control', async () => {
    for (const lang of ['en', 'zh-CN']) {
      const browser = new Browser(app.url, { 'accept-language': lang });
      const notice = await browser.navigate('/apply');
      assert.ok(isPage(notice));
      const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
      assert.ok(isPage(form));
      assert.doesNotMatch(form.document.querySelector('#birth_date-hint')!.text, /\d{4}-\d{2}-\d{2}/, `${lang}: no fixed yyyy-mm-dd example`);
    }
  });

  it('does not repeat the site name in the home page title, in either language', async () => {
    for (const lang of ['en', 'zh-CN']) {
      const home = await new Browser(app.url, { 'accept-language': lang }).navigate('/');
      assert.ok(isPage(home));
      const title = home.document.querySelector('title')!.text;
      assert.doesNotMatch(title, /^(.+) · \1$/, `${lang}: ${title}`);
    }
  });

  it('serves /favicon.ico (an icon, not a 404) and links an SVG icon', async () => {
    const ico = await fetch(`${app.url}/favicon.ico`);
    assert.equal(ico.status, 200);
    assert.equal(ico.headers.get('content-type'), 'image/x-icon');
    assert.equal(Buffer.from(await ico.arrayBuffer()).subarray(0, 4).toString('hex'), '00000100', 'an ICO file');
    const svg = await fetch(`${app.url}/static/favicon.svg`);
    assert.equal(svg.status, 200);
    assert.match(await svg.text(), /^<svg /);
  });
});
