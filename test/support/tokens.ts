// What an ISP does with tokens after the browser part of the flow: redeem a code, refresh,
// call userinfo, introspect, revoke — plain HTTP, so tests see every status and error code.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { basicAuth, exchangeCode, signIn, type AuthorizeParams, type Credentials, type FlowResult } from './flow.js';
import type { Browser } from './browser.js';
import type { ModelStore } from '../../src/storage/model-store.js';

export type TestClient = { client_id: string; client_secret?: string; redirect_uri: string };
export type JsonResponse = { status: number; body: Record<string, unknown> & { error?: string }; headers: Headers };
export type TokenSet = {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  scope?: string;
  expires_in: number;
  token_type: string;
};

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function json(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let body: JsonResponse['body'] = {};
  try {
    body = text ? (JSON.parse(text) as JsonResponse['body']) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body, headers: response.headers };
}

/** POSTs a form to an endpoint, authenticating the client with client_secret_basic when it has a secret. */
export async function postAsClient(url: string, client: Pick<TestClient, 'client_id' | 'client_secret'> | undefined, params: Record<string, string>) {
  const headers: Record<string, string> = { ...form };
  const body = new URLSearchParams(params);
  if (client?.client_secret) headers.authorization = basicAuth(client.client_id, client.client_secret);
  else if (client) body.set('client_id', client.client_id);
  return json(await fetch(url, { method: 'POST', headers, body }));
}

/** Redeems the flow's code; asserts success and returns the token response. */
export async function redeem(issuer: string, client: TestClient, flow: Pick<FlowResult, 'code' | 'verifier'>): Promise<TokenSet> {
  assert.ok(flow.code, 'the flow should have produced a code');
  const response = await exchangeCode(issuer, client, flow.code, flow.verifier);
  assert.equal(response.status, 200, `token endpoint: ${JSON.stringify(response.body)}`);
  return response.body as unknown as TokenSet;
}

/** Signs a citizen in (authorize → login → consent) and redeems the code. */
export async function signInForTokens(
  issuer: string,
  client: TestClient,
  citizen: Credentials,
  options: { params?: AuthorizeParams; browser?: Browser } = {},
): Promise<{ flow: FlowResult; tokens: TokenSet }> {
  const flow = await signIn(issuer, client, citizen, options);
  return { flow, tokens: await redeem(issuer, client, flow) };
}

export function refresh(issuer: string, client: TestClient, refreshToken: string) {
  return postAsClient(`${issuer}/token`, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export async function userinfo(issuer: string, accessToken: string) {
  return json(await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } }));
}

export function introspect(issuer: string, client: Pick<TestClient, 'client_id' | 'client_secret'> | undefined, token: string) {
  return postAsClient(`${issuer}/token/introspection`, client, { token });
}

export function revoke(issuer: string, client: Pick<TestClient, 'client_id' | 'client_secret'> | undefined, token: string) {
  return postAsClient(`${issuer}/token/revocation`, client, { token });
}

/** Asserts an access token no longer opens userinfo (401 invalid_token). */
export async function assertAccessTokenDead(issuer: string, accessToken: string, label = 'access token') {
  const response = await userinfo(issuer, accessToken);
  assert.equal(response.status, 401, `${label} should be rejected at userinfo, got ${response.status} ${JSON.stringify(response.body)}`);
  assert.equal(response.body.error, 'invalid_token');
}

/** Asserts an access token opens userinfo. */
export async function assertAccessTokenAlive(issuer: string, accessToken: string, label = 'access token') {
  const response = await userinfo(issuer, accessToken);
  assert.equal(response.status, 200, `${label} should work at userinfo, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Asserts a refresh token is refused (400 invalid_grant). */
export async function assertRefreshTokenDead(issuer: string, client: TestClient, refreshToken: string, label = 'refresh token') {
  const response = await refresh(issuer, client, refreshToken);
  assert.equal(response.status, 400, `${label} should be refused, got ${response.status} ${JSON.stringify(response.body)}`);
  assert.equal(response.body.error, 'invalid_grant');
}

export const idTokenClaims = (tokens: Pick<TokenSet, 'id_token'>) => decodeJwt(tokens.id_token);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Makes the next `count` reads of one stored entry wait for each other, so that `count`
 * concurrent requests all see it before any of them changes it (e.g. all read a code as
 * unconsumed, then meet at the store's atomic consume). Call the returned function to restore.
 */
export function holdConcurrentReads(store: ModelStore, model: string, id: string, count = 2) {
  const originalFind = store.find;
  let waiting: Array<() => void> = [];
  const state = { reads: 0, restore: () => { store.find = originalFind; } };
  store.find = async (m, i) => {
    const payload = await originalFind.call(store, m, i);
    if (m === model && i === id && state.reads < count) {
      state.reads += 1;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === count) {
          for (const release of waiting) release();
          waiting = [];
        }
        setTimeout(resolve, 2000).unref(); // never deadlock a test
      });
    }
    return payload;
  };
  return state;
}
