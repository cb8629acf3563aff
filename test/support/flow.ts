// Drives the authorization code flow the way a citizen's browser does:
// authorize → login form → consent form → redirect to the ISP with a code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Browser, isPage, type Page } from './browser.js';
import { pkce } from './factories.js';

export type AuthorizeParams = Record<string, string | undefined>;
export type Credentials = { cyberspace_id: string; password: string };

export type FlowResult = {
  callback: URL;
  code: string | null;
  state: string;
  nonce: string;
  verifier: string;
  browser: Browser;
};

export function authorizeUrl(issuer: string, client: { client_id: string; redirect_uri: string }, params: AuthorizeParams = {}) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const nonce = randomBytes(8).toString('hex');
  const url = new URL(`${issuer}/auth`);
  const all: AuthorizeParams = {
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    response_type: 'code',
    scope: 'openid',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return { url, state: all.state ?? state, nonce: all.nonce ?? nonce, verifier };
}

/** Runs the whole flow; `consent` picks the consent button. */
export async function signIn(
  issuer: string,
  client: { client_id: string; redirect_uri: string },
  citizen: Credentials,
  options: { params?: AuthorizeParams; browser?: Browser; consent?: 'allow' | 'deny' } = {},
): Promise<FlowResult> {
  const browser = options.browser ?? new Browser(issuer);
  const { url, state, nonce, verifier } = authorizeUrl(issuer, client, options.params);
  const callback = await authorizeInBrowser(browser, url, citizen, options.consent);
  return { callback, code: callback.searchParams.get('code'), state, nonce, verifier, browser };
}

/** Opens an authorization URL an ISP built (a PAR request_uri, a request object…), signs in, consents; the callback URL. */
export async function authorizeInBrowser(browser: Browser, url: URL, citizen: Credentials, consent: 'allow' | 'deny' = 'allow'): Promise<URL> {
  let result = await browser.navigate(url.href);
  for (let step = 0; step < 4 && isPage(result); step += 1) {
    const page: Page = result;
    if (page.document.querySelector('form[action$="/login"]')) {
      result = await browser.submit(page, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    } else if (page.document.querySelector('form[action$="/confirm"]')) {
      result = await browser.submit(page, 'form[action$="/confirm"]', {}, { name: 'decision', value: consent });
    } else {
      assert.fail(`unexpected page ${page.status} ${page.url}: ${page.document.querySelector('main')?.text.trim().slice(0, 300)}`);
    }
  }
  assert.ok(!isPage(result), 'the flow should end with a redirect to the ISP');
  return result.redirectedTo;
}

/** Exchanges a code at the token endpoint with client_secret_basic. */
export async function exchangeCode(
  issuer: string,
  client: { client_id: string; client_secret?: string; redirect_uri: string },
  code: string,
  verifier: string,
) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirect_uri, code_verifier: verifier });
  if (client.client_secret) headers.authorization = basicAuth(client.client_id, client.client_secret);
  else body.set('client_id', client.client_id);
  const response = await fetch(`${issuer}/token`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, string> & { error?: string } };
}

export function basicAuth(id: string, secret: string) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
