// An admin API client for tests, as an operator's script would be: its own DPoP key (ES256),
// a fresh proof for every request (RFC 9449 §4.2), sign-in with handle, password and a current
// authenticator code, and every response checked against the OpenAPI document.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import request from 'supertest';
import { accessTokenHash } from '../../src/web/dpop.js';
import { createOpenApiValidator, openApiDoc } from './openapi.js';
import { freshCode, type TestOperator } from './operators.js';

export const API = '/api/admin/v1';
const validator = createOpenApiValidator(openApiDoc());

export type DpopKey = { privateKey: CryptoKey; jwk: JWK };

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

export type ProofClaims = { htm: string; htu: string; iat?: number; jti?: string; ath?: string };

export async function dpopProof(key: DpopKey, claims: ProofClaims, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}

export type ApiResponse = { status: number; body: any; headers: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

type CallOptions = {
  body?: unknown;
  token?: string;
  /** Send this proof instead of a fresh one (null: none). */
  proof?: string | null;
  key?: DpopKey;
  scheme?: string;
  headers?: Record<string, string>;
  /** Skip the check against the OpenAPI document (for requests the document has no route for). */
  undocumented?: boolean;
};

export class AdminApiClient {
  token: string | undefined;
  operator: TestOperator | undefined;

  constructor(readonly baseUrl: string, readonly key: DpopKey) {}

  static async create(baseUrl: string) {
    return new AdminApiClient(baseUrl, await dpopKey());
  }

  proofFor(method: string, path: string, token?: string, key = this.key, extra: Partial<ProofClaims> = {}) {
    return dpopProof(key, { htm: method, htu: `${this.baseUrl}${API}${path}`, ...(token ? { ath: accessTokenHash(token) } : {}), ...extra });
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const token = options.token ?? this.token;
    const proof = options.proof === undefined ? await this.proofFor(method, path, token, options.key) : options.proof;
    let req = request(this.baseUrl)[method.toLowerCase() as 'get'](`${API}${path}`);
    if (token) req = req.set('authorization', `${options.scheme ?? 'DPoP'} ${token}`);
    if (proof !== null) req = req.set('dpop', proof);
    for (const [name, value] of Object.entries(options.headers ?? {})) req = req.set(name, value);
    const response = options.body === undefined ? await req : await req.send(options.body as object);
    const result = { status: response.status, body: response.body, headers: response.headers as Record<string, string> };
    assert.equal(result.headers['set-cookie'], undefined, 'the admin API sets no cookies');
    assert.match(result.headers['cache-control'] ?? '', /no-store/);
    if (!options.undocumented) assert.deepEqual(validator.check(method, path, response.status, result.headers['content-type'], response.body), [], `${method} ${path} conforms to the OpenAPI document`);
    return result;
  }

  async signIn(operator: TestOperator): Promise<ApiResponse> {
    const response = await this.call('POST', '/session', { token: '', body: { handle: operator.handle, password: operator.password, code: await freshCode(operator) } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    this.token = response.body.access_token;
    this.operator = operator;
    return response;
  }

  async reauthenticate(): Promise<void> {
    const response = await this.call('POST', '/session/reauthentication', { body: { code: await freshCode(this.operator!) } });
    assert.equal(response.status, 204, JSON.stringify(response.body));
  }
}

/** A signed-in client for an operator. */
export async function apiAs(baseUrl: string, operator: TestOperator): Promise<AdminApiClient> {
  const client = await AdminApiClient.create(baseUrl);
  await client.signIn(operator);
  return client;
}
