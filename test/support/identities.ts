// Synthetic people of a given age for the minors, guardians and lifecycle tests, and an ISP
// sign-in that stops at whatever page the citizen is shown (so a test sees refusals).
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import { todayInChina } from '../../src/identity/age.js';
import { Browser, isPage, type Page } from './browser.js';
import { authorizeUrl, type AuthorizeParams, type Credentials } from './flow.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

let serial = 100;

/** A valid resident identity card number (GB 11643) for a birth date. */
export function residentId(birthDate: string, region = '110105'): string {
  serial = serial >= 998 ? 100 : serial + 1;
  const first17 = `${region}${birthDate.replaceAll('-', '')}${serial}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** A birth date that makes someone exactly `years` old today in Beijing (`days` past the birthday). */
export function birthDateYearsAgo(years: number, days = 30): string {
  const today = todayInChina();
  return new Date(Date.UTC(today.year - years, today.month - 1, today.day) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The instant a calendar day begins in Beijing (UTC+8). */
export const beijingMidnight = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`));

/** A sandbox identity with a resident ID card for someone `years` old. */
export function personAged(years: number, name: string): IdentityClaim {
  const birthDate = birthDateYearsAgo(years);
  return { documentType: 'resident_id', documentNumber: residentId(birthDate), name, birthDate };
}

export type IspVisit = {
  /** The page the citizen ends on, if the flow did not return to the ISP. */
  page?: Page;
  /** Where the browser was sent back to the ISP, if it was. */
  callback?: URL;
  code: string | null;
  verifier: string;
  state: string;
};

/**
 * Starts an authorization at the ISP; signs in (once) if asked and allows on the consent page;
 * stops at the first other page (a refusal, the guardian-pending page) or at the ISP's callback.
 */
export async function visitIsp(
  browser: Browser,
  client: { client_id: string; redirect_uri: string },
  citizen: Credentials | undefined,
  params: AuthorizeParams = {},
): Promise<IspVisit> {
  const { url, verifier, state } = authorizeUrl(browser.origin, client, params);
  let result = await browser.navigate(url.href);
  let loggedIn = false;
  let consented = false;
  for (let step = 0; step < 4 && isPage(result); step += 1) {
    const page: Page = result;
    if (!loggedIn && citizen && page.document.querySelector('form[action$="/login"]')) {
      loggedIn = true;
      result = await browser.submit(page, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    } else if (!consented && page.document.querySelector('form[action$="/confirm"]')) {
      consented = true;
      result = await browser.submit(page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    } else break;
  }
  if (isPage(result)) return { page: result, code: null, verifier, state };
  return { callback: result.redirectedTo, code: result.redirectedTo.searchParams.get('code'), verifier, state };
}

/** The text of the page's main content, whitespace collapsed (for assertions on messages). */
export const mainText = (page: Page) => (page.document.querySelector('main')?.text ?? page.document.text).replace(/\s+/g, ' ').trim();
