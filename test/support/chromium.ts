// Debian's Chromium driven by playwright-core, for the tests that need a real browser. CI
// installs it (.ci/run); a missing browser is a failure, not a skip.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

/** Flags that keep a headless Chromium quiet and self-contained in a container (no sandbox, no GPU, no phoning home). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches one headless Chromium (playwright gives it a fresh user-data-dir); close it in `after`. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(CHROMIUM_PATH, 'Chromium is not installed (apt-get install chromium)');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Watches a tab for the browser being sent back to an ISP whose host does not exist, so a test
 * reads the code, state or error the ISP would get. (page.route() cannot answer for the ISP: a
 * request that is the target of a redirect — as every return to an ISP is — is never routed.)
 */
export function ispReturns(page: Page, origin: string) {
  const atIsp = (url: string) => url.startsWith(`${origin}/`);
  return {
    /** Runs `action` (e.g. a click) and resolves with the ISP address it led to, once Chromium has shown its error page. */
    async next(action: () => Promise<unknown>): Promise<URL> {
      const [request] = await Promise.all([
        page.waitForRequest((r) => atIsp(r.url()) && r.isNavigationRequest()),
        page.waitForEvent('requestfailed', (r) => atIsp(r.url())),
        page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() && frame.url().startsWith('chrome-error:') }),
        action(),
      ]);
      await page.waitForLoadState('load');
      return new URL(request.url());
    },
  };
}
