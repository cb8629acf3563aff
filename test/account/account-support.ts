// Helpers for the dashboard tests: citizens who applied with a sandbox identity (so they have
// identity data), the dashboard page, and what its sections show.
import assert from 'node:assert/strict';
import { Browser, isPage, type Page } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox } from '../support/citizen-pages.js';
import type { TestApp } from '../support/test-app.js';
import type { Credentials } from '../support/flow.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';

export type AccountPage = '/account' | '/account/services' | '/account/security' | '/account/guardianship' | '/account/data' | '/account/activity';

export const EN = { 'accept-language': 'en' };
export const PASSWORD = 'a long memorable phrase';

let serial = 300;

/** A synthetic adult with a valid resident identity card number. */
export function adultIdentity(name: string, birthDate = '1985-06-15'): IdentityClaim {
  serial += 1;
  const first17 = `110105${birthDate.replaceAll('-', '')}${serial}`;
  return { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name, birthDate };
}

/** Applies through the pages with a sandbox identity; returns the new credentials. */
export async function appliedCitizen(app: TestApp, identity: IdentityClaim): Promise<Credentials> {
  await seedSandbox(app.container, identity);
  const page = await applyInBrowser(new Browser(app.url, EN), { ...identity, password: PASSWORD });
  assert.equal(page.status, 201, page.document.querySelector('main')?.text.trim().slice(0, 300));
  return { cyberspace_id: issuedId(page), password: PASSWORD };
}

/** One of the account pages (the overview unless named: '/account/services', '/account/security', …). */
export async function dashboard(browser: Browser, path: AccountPage = '/account'): Promise<Page> {
  const page = await browser.navigate(path);
  assert.ok(isPage(page), 'the dashboard is a page');
  assert.equal(page.status, 200, page.url);
  return page;
}

export const text = (page: Page, selector: string) => page.document.querySelectorAll(selector).map((el) => el.text.replace(/\s+/g, ' ').trim());
export const activityLines = (page: Page) => text(page, 'tr.activity-entry td:nth-child(2)');
export const noticeLines = (page: Page) => text(page, 'li.account-notice .notice-text');

/** The structural rules of every citizen page (test/web/pages.test.ts), for the account pages added here. */
export function assertPageRules(page: Page, where: string) {
  const doc = page.document;
  assert.equal(doc.querySelectorAll('h1').length, 1, `${where}: one <h1>`);
  assert.equal(doc.querySelectorAll('script, style').length, 0, `${where}: no script or style`);
  const ids = doc.querySelectorAll('[id]').map((el) => el.getAttribute('id')!);
  assert.deepEqual(ids, [...new Set(ids)], `${where}: unique ids`);
  for (const el of doc.querySelectorAll('*')) {
    for (const attribute of Object.keys(el.attributes)) assert.ok(attribute.toLowerCase() !== 'style' && !/^on/i.test(attribute), `${where}: ${attribute}`);
    for (const ref of (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) assert.ok(ids.includes(ref), `${where}: #${ref} exists`);
  }
  for (const input of doc.querySelectorAll('input:not([type="hidden"]), select, textarea')) {
    assert.ok(doc.querySelector(`label[for="${input.getAttribute('id')}"]`)?.text.trim(), `${where}: input ${input.getAttribute('name') ?? input.getAttribute('id')} is labelled`);
  }
  for (const form of doc.querySelectorAll('form')) assert.equal(form.getAttribute('method'), 'post', `${where}: forms post`);
  assert.doesNotMatch(page.html, /&#34;|&quot;(?=[^<]*>)/, `${where}: no escaped quotes inside tags`);
}
