// The developer portal (/developers): the documents discovery points to are HTML pages of the
// site in both languages, their links work, an untranslated page says so and marks its English,
// the old /docs/NAME addresses redirect, and nothing outside docs/ and examples/ is served.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser } from '../support/browser.js';
import { expectPage } from './web-support.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { rewriteHref } from '../../src/web/doc-pages.js';

const DOCS = readdirSync(path.join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));

describe('developer portal', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('discovery points service_documentation and op_policy_uri at HTML pages of the portal', async () => {
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as Record<string, string>;
    assert.equal(discovery.service_documentation, `${app.url}/developers/integration`);
    assert.equal(discovery.op_policy_uri, `${app.url}/developers/privacy`);
    for (const url of [discovery.service_documentation!, discovery.op_policy_uri!]) {
      const response = await fetch(url, { headers: { 'accept-language': 'en' } });
      assert.equal(response.status, 200, url);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, /<html lang="en">/);
      assert.doesNotMatch(html, /^#+ /m, 'no raw Markdown headings');
    }
  });

  it('renders the guide in English and Chinese, the Chinese one marked as a translation', async () => {
    const english = expectPage(await new Browser(app.url, { 'accept-language': 'en' }).navigate('/developers/integration'), 'guide');
    assert.match(english.document.querySelector('main h1')!.text, /Integrating/);
    assert.match(english.document.querySelector('title')!.text, /Integrating/);
    const chinese = expectPage(await new Browser(app.url, { 'accept-language': 'zh-CN' }).navigate('/developers/integration'), '指南');
    assert.equal(chinese.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.match(chinese.document.querySelector('main h1')!.text, /接入/);
    assert.ok(!chinese.document.querySelector('article')!.hasAttribute('lang'), 'the article is in the page language');
    assert.ok(chinese.document.querySelector('main a[href="/developers/integration?lang=en"]'), 'links the English original');
    const policy = expectPage(await new Browser(app.url, { 'accept-language': 'zh-CN' }).navigate('/developers/privacy'), '隐私');
    assert.match(policy.document.querySelector('main h1')!.text, /隐私/);
  });

  it('falls back to the English original where no translation exists, and says so', async () => {
    const page = expectPage(await new Browser(app.url, { 'accept-language': 'zh-CN' }).navigate('/developers/audit-log'), 'audit log');
    assert.equal(page.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.ok(page.document.querySelector('main .notice')!.text.includes('尚无中文译文'));
    assert.equal(page.document.querySelector('article')!.getAttribute('lang'), 'en', 'the English content is marked as English');
    const index = expectPage(await new Browser(app.url, { 'accept-language': 'zh-CN' }).navigate('/developers'), 'index');
    const link = index.document.querySelector('main a[href="/developers/audit-log"]')!;
    assert.equal(link.getAttribute('lang'), 'en');
    assert.match(link.parentNode!.text, /（英文）/);
  });

  it('every link inside every document, in both languages, leads to a page that exists', async () => {
    const checked = new Set<string>();
    for (const locale of ['en', 'zh-CN']) {
      const browser = new Browser(app.url, { 'accept-language': locale });
      for (const name of DOCS) {
        const page = expectPage(await browser.navigate(`/developers/${name}`), name);
        assert.equal(page.status, 200, name);
        for (const a of page.document.querySelectorAll('article a')) {
          const href = a.getAttribute('href')!;
          assert.doesNotMatch(href, /\.md(#|$)/, `${name}: ${href} is rewritten to a portal page`);
          const target = new URL(href, page.url);
          if (target.origin !== app.url || checked.has(`${locale} ${target.pathname}`)) continue;
          checked.add(`${locale} ${target.pathname}`);
          const response = await browser.request(target.href);
          assert.equal(response.status, 200, `${name} (${locale}) links to ${href}`);
          if (target.hash) {
            const html = await response.text();
            assert.ok(html.includes(`id="${target.hash.slice(1)}"`), `${name} links to the anchor ${href}`);
          }
        }
      }
    }
    assert.ok(checked.size > 3, `links were followed: ${[...checked].join(', ')}`);
  });

  it('serves example sources as text, and nothing outside docs/ and examples/', async () => {
    const example = await fetch(`${app.url}/developers/examples/node/openid-client-rp.ts`);
    assert.equal(example.status, 200);
    assert.match(example.headers.get('content-type') ?? '', /^text\/plain/);
    for (const probe of ['/developers/..%2Fpackage.json', '/developers/examples/..%2F..%2Fpackage.json', '/developers/examples/../package.json', '/docs/../package.json', '/developers/nope', '/docs/nope']) {
      assert.equal((await fetch(`${app.url}${probe}`, { redirect: 'manual' })).status, 404, probe);
    }
  });

  it('redirects the old /docs/NAME addresses permanently', async () => {
    for (const name of ['integration', 'privacy', 'claims']) {
      const response = await fetch(`${app.url}/docs/${name}`, { redirect: 'manual' });
      assert.equal(response.status, 301, name);
      assert.equal(response.headers.get('location'), `/developers/${name}`);
    }
  });

  it('rewrites relative links (unit)', () => {
    assert.equal(rewriteHref('claims.md'), '/developers/claims');
    assert.equal(rewriteHref('./claims.md#scopes'), '/developers/claims#scopes');
    assert.equal(rewriteHref('../examples/go/main.go'), '/developers/examples/go/main.go');
    assert.equal(rewriteHref('../public/buttons/login-with-cyberspace-id.en.svg'), '/static/buttons/login-with-cyberspace-id.en.svg');
    assert.equal(rewriteHref('https://openid.net/specs/'), 'https://openid.net/specs/');
    assert.equal(rewriteHref('#top'), '#top');
  });
});
