// Helpers that drive the citizen's own pages (apply, account) through their HTML forms.
import assert from 'node:assert/strict';
import { Browser, isPage, type Page } from './browser.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import type { Container } from '../../src/container.js';

export type Applicant = IdentityClaim & { password: string; guardian?: string };

export async function seedSandbox(container: Container, identity: IdentityClaim) {
  await container.sandboxIdentities.add(identity);
}

/** Applies through the notice and the details form; returns the final page. */
export async function applyInBrowser(browser: Browser, applicant: Applicant): Promise<Page> {
  const notice = await browser.navigate('/apply');
  assert.ok(isPage(notice));
  const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
  assert.ok(isPage(form));
  const result = await browser.submit(form, 'form[action="/apply/submit"]', {
    document_type: applicant.documentType,
    document_number: applicant.documentNumber,
    name: applicant.name,
    birth_date: applicant.birthDate,
    password: applicant.password,
    guardian: applicant.guardian ?? '',
  });
  assert.ok(isPage(result));
  return result;
}

/** The cyberspace ID shown on the success page, without the reading hyphens. */
export function issuedId(page: Page): string {
  const shown = page.document.querySelector('#new-cyberspace-id')?.text.trim();
  assert.ok(shown, `no new cyberspace ID on the page (status ${page.status}): ${page.document.querySelector('main')?.text.trim().slice(0, 400)}`);
  return shown.replaceAll('-', '');
}

export async function signInToAccount(browser: Browser, cyberspaceId: string, password: string): Promise<Page> {
  const login = await browser.navigate('/account/login');
  assert.ok(isPage(login));
  const result = await browser.submit(login, 'form[action="/account/login"]', { cyberspace_id: cyberspaceId, password });
  assert.ok(isPage(result));
  return result;
}

export function fieldErrors(page: Page): string[] {
  return page.document.querySelectorAll('.error-text, .alert li').map((el) => el.text.trim());
}
