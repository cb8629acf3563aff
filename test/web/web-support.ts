// Helpers for the citizen page tests: open the sign-in page of a fresh authorization request,
// sign in to reach the consent page, and read what a page shows.
import assert from 'node:assert/strict';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeUrl, type AuthorizeParams, type Credentials } from '../support/flow.js';

export type TestClient = { client_id: string; redirect_uri: string };
export type Opened = { browser: Browser; page: Page; state: string };

export const LOGIN_FORM = 'form[action$="/login"]';
export const CONSENT_FORM = 'form[action$="/confirm"]';

export function expectPage(result: Page | { redirectedTo: URL; status: number }, what: string): Page {
  if (!isPage(result)) assert.fail(`expected ${what}, got a redirect to ${result.redirectedTo.href}`);
  return result;
}

/** Starts an authorization request and returns the sign-in page it leads to. */
export async function openLogin(
  issuer: string,
  client: TestClient,
  options: { params?: AuthorizeParams; headers?: Record<string, string>; browser?: Browser } = {},
): Promise<Opened> {
  const browser = options.browser ?? new Browser(issuer, options.headers);
  const { url, state } = authorizeUrl(issuer, client, options.params);
  const page = expectPage(await browser.navigate(url.href), 'the sign-in page');
  assert.equal(page.status, 200, mainText(page));
  assert.ok(page.document.querySelector(LOGIN_FORM), `sign-in form expected on ${page.url}: ${mainText(page)}`);
  return { browser, page, state };
}

/** Submits the sign-in form with these credentials. */
export function submitLogin(opened: { browser: Browser; page: Page }, cyberspaceId: string, password: string) {
  return opened.browser.submit(opened.page, LOGIN_FORM, { cyberspace_id: cyberspaceId, password });
}

/** Opens the sign-in page, signs in and returns the consent page. */
export async function openConsent(
  issuer: string,
  client: TestClient,
  citizen: Credentials,
  options: { params?: AuthorizeParams; headers?: Record<string, string>; browser?: Browser } = {},
): Promise<Opened> {
  const opened = await openLogin(issuer, client, options);
  const page = expectPage(await submitLogin(opened, citizen.cyberspace_id, citizen.password), 'the consent page');
  assert.ok(page.document.querySelector(CONSENT_FORM), `consent form expected on ${page.url}: ${mainText(page)}`);
  return { ...opened, page };
}

export const mainText = (page: Page) => page.document.querySelector('main')?.text.replace(/\s+/g, ' ').trim() ?? page.html.slice(0, 300);
export const alertText = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim();
export const htmlLang = (page: Page) => page.document.querySelector('html')?.getAttribute('lang');
