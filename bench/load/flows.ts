// The OAuth steps a load connection repeats, written once for both servers: a code flow that
// follows redirects on the issuer's origin (filling a login form if one appears), the code
// exchange, and the ID token check an ISP makes (signature against the JWKS, iss, aud, nonce).
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { Jar, type Reply, type Send } from './http.js';

export type Target = { issuer: string; client_id: string; client_secret: string; redirect_uri: string };
export type Credentials = { cyberspace_id: string; password: string };

export const basic = (t: Target) => `Basic ${Buffer.from(`${encodeURIComponent(t.client_id)}:${encodeURIComponent(t.client_secret)}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) fields[name] = value ?? '';
  }
  return fields;
}

/** authorize → (login form) → … → code, on this jar's session; how many HTTP requests it took. */
export async function authorize(send: Send, t: Target, jar: Jar, options: { scope?: string; prompt?: string; credentials?: Credentials } = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const nonce = randomBytes(8).toString('hex');
  const url = new URL(`${t.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: t.client_id, redirect_uri: t.redirect_uri, response_type: 'code', scope: options.scope ?? 'openid',
    state: randomBytes(8).toString('hex'), nonce, code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256', ...(options.prompt ? { prompt: options.prompt } : {}),
  })) url.searchParams.set(k, v);
  let next = url.href;
  let method = 'GET';
  let body: string | undefined;
  for (let requests = 1; requests <= 10; requests += 1) {
    const reply: Reply = await send(method, next, { ...jar.header(), ...(body ? form : {}) }, body);
    jar.take(reply);
    const location = reply.headers.location;
    if (reply.status >= 300 && reply.status < 400 && location) {
      const target = new URL(location, next);
      if (target.href.startsWith(t.redirect_uri)) {
        const code = target.searchParams.get('code');
        if (!code) throw new Error(`no code: ${target.search}`);
        return { code, verifier, nonce, requests };
      }
      next = target.href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const login = /<form[^>]*action="([^"]*\/login)"/.exec(reply.body);
    if (reply.status === 200 && login && options.credentials) {
      next = new URL(login[1]!.replace(/&amp;/g, '&'), next).href;
      method = 'POST';
      body = new URLSearchParams({ ...hiddenFields(reply.body.slice(reply.body.indexOf(login[0]))), ...options.credentials }).toString();
      continue;
    }
    throw new Error(`authorize stopped at ${reply.status} ${next}: ${reply.body.slice(0, 200)}`);
  }
  throw new Error('authorize: too many steps');
}

export async function postToken(send: Send, t: Target, params: Record<string, string>) {
  const reply = await send('POST', `${t.issuer}/token`, { ...form, authorization: basic(t) }, new URLSearchParams(params).toString());
  if (reply.status !== 200) throw new Error(`token ${reply.status}: ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body) as { access_token: string; id_token?: string; refresh_token?: string };
}

export async function exchange(send: Send, t: Target, flow: { code: string; verifier: string }) {
  return postToken(send, t, { grant_type: 'authorization_code', code: flow.code, redirect_uri: t.redirect_uri, code_verifier: flow.verifier });
}

export async function idTokenVerifier(send: Send, t: Target) {
  const jwks = createLocalJWKSet(JSON.parse((await send('GET', `${t.issuer}/jwks`)).body) as JSONWebKeySet);
  return async (idToken: string | undefined, nonce: string) => {
    if (!idToken) throw new Error('no ID token');
    const { payload } = await jwtVerify(idToken, jwks, { issuer: t.issuer, audience: t.client_id });
    if (payload.nonce !== nonce) throw new Error('ID token nonce mismatch');
  };
}
