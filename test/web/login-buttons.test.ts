// The "Log in with Cyberspace ID" buttons (public/buttons, docs/integration.md §7): served by the
// developer portal as SVG that other sites may load, one per language, each an accessible image
// (role="img" named by its title, in its language) with text readable on its background, and
// shown with alt text in the integration guide in both languages.
import assert from 'node:assert/strict';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser } from '../support/browser.js';
import { expectPage } from './web-support.js';

const BUTTONS = [
  { file: 'login-with-cyberspace-id.en.svg', lang: 'en', words: 'Log in with Cyberspace ID' },
  { file: 'login-with-cyberspace-id.zh-CN.svg', lang: 'zh-CN', words: '使用网号登录' },
];

/** WCAG 2.2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string) {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
const hex = (colour: string | undefined) => (colour === '#fff' ? '#ffffff' : colour!);

describe('the "Log in with Cyberspace ID" button', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  for (const button of BUTTONS) {
    it(`serves the ${button.lang} button as an accessible SVG other sites may load`, async () => {
      const response = await fetch(`${app.url}/static/buttons/${button.file}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/svg+xml');
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin', 'ISPs load it from their own pages');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const svg = parse(await response.text()).querySelector('svg')!;
      assert.equal(svg.getAttribute('role'), 'img');
      assert.equal(svg.getAttribute('lang'), button.lang);
      const title = svg.querySelector(`#${svg.getAttribute('aria-labelledby')}`);
      assert.equal(title?.tagName.toLowerCase(), 'title', 'named by its title');
      assert.equal(title!.text, button.words);
      assert.ok(Number(svg.getAttribute('height')) >= 36, 'tall enough to hit');
      assert.equal(svg.querySelectorAll('script, foreignObject, a').length, 0, 'nothing active inside');
      const background = hex(svg.querySelector('rect')!.getAttribute('fill'));
      const words = svg.querySelectorAll('text').find((text) => text.text === button.words);
      assert.ok(words, 'the words are the ones in the title');
      assert.ok(contrast(hex(words.getAttribute('fill')), background) >= 4.5, 'readable on its background (WCAG 1.4.3)');
    });
  }

  it('serves no other file from the buttons folder', async () => {
    for (const probe of ['/static/buttons/nope.svg', '/static/buttons/..%2Fsite.css', '/static/buttons/login-with-cyberspace-id.fr.svg']) {
      assert.equal((await fetch(`${app.url}${probe}`)).status, 404, probe);
    }
  });

  it('the integration guide shows both buttons with their words as alt text, in both languages', async () => {
    for (const locale of ['en', 'zh-CN']) {
      const page = expectPage(await new Browser(app.url, { 'accept-language': locale }).navigate('/developers/integration'), locale);
      for (const button of BUTTONS) {
        const img = page.document.querySelector(`article img[src="/static/buttons/${button.file}"]`);
        assert.ok(img, `${locale} guide shows ${button.file}`);
        assert.equal(img.getAttribute('alt'), button.words);
        assert.ok(page.document.querySelector(`article a[href="/static/buttons/${button.file}"]`), `${locale} guide links ${button.file} for download`);
      }
    }
  });
});
