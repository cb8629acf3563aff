// Admin API sign-in and tokens (docs/admin-api.md): a token needs handle, password and a
// current authenticator code; it is DPoP-bound (RFC 9449) — no proof, a replayed proof, a proof
// by another key or for another request is refused, as is the token sent as Bearer; it dies
// with its sign-in session, with its operator's account, and after its lifetime; the sign-in
// is rate-limited; every refusal is a problem with the right challenge; no cookie is ever set.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addOperator, bootstrapOperator, freshCode, signIn, type TestOperator } from '../support/operators.js';
import { API, AdminApiClient, apiAs, dpopKey, dpopProof, type ApiResponse } from '../support/admin-api.js';
import type { OperatorActor } from '../../src/operators/operations.js';

function assertProblem(response: ApiResponse, status: number, code: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(response.body.status, status);
  assert.equal(response.body.code, code);
  assert.equal(response.body.type, `urn:cyberspace-id:problem:${code}`);
  assert.equal(typeof response.body.title, 'string');
  assert.equal(typeof response.body.detail, 'string');
  assert.equal(response.body.request_id, response.headers['x-request-id']);
}

const challengeError = (response: ApiResponse) => /error="([a-z_]+)"/.exec(response.headers['www-authenticate'] ?? '')?.[1];

describe('admin API: sign-in, tokens and DPoP', function () {
  this.timeout(180000);
  let app: TestApp;
  let admin: { actor: OperatorActor; operator: TestOperator };
  let auditor: TestOperator;

  before(async () => {
    app = await startTestApp();
    const root = await bootstrapOperator(app.container);
    admin = { actor: await signIn(app.container, root), operator: root };
    auditor = await addOperator(app.container, admin, ['auditor']);
  });
  after(async () => app?.stop());
  // A new operator for each sign-in: each authenticator code works once, three per 30 s.
  const newAuditor = () => addOperator(app.container, admin, ['auditor']);

  it('signs in only with handle, password and a current authenticator code, and returns a 10-minute DPoP token', async () => {
    const client = await AdminApiClient.create(app.url);
    const noCode = await client.call('POST', '/session', { body: { handle: auditor.handle, password: auditor.password, code: '' } });
    assertProblem(noCode, 400, 'sign_in_refused');
    const wrongPassword = await client.call('POST', '/session', { body: { handle: auditor.handle, password: 'not the password at all', code: await freshCode(auditor) } });
    assertProblem(wrongPassword, 400, 'sign_in_refused');
    assert.equal(wrongPassword.body.detail, noCode.body.detail, 'one answer for every failure');

    const signedIn = await client.signIn(auditor);
    assert.equal(signedIn.body.token_type, 'DPoP');
    assert.ok(signedIn.body.expires_in <= 600);
    assert.deepEqual(signedIn.body.operator, { id: auditor.id, handle: auditor.handle, roles: ['auditor'] });
    const session = await client.call('GET', '/session');
    assert.equal(session.status, 200);
    assert.deepEqual(session.body.operations.sort(), ['audit.latest', 'audit.verify']);
    assert.equal((await client.call('GET', '/audit/verification')).body.ok, true);
  });

  it('refuses a sign-in without a DPoP proof', async () => {
    const client = await AdminApiClient.create(app.url);
    const response = await client.call('POST', '/session', { proof: null, body: { handle: auditor.handle, password: auditor.password, code: '123456' } });
    assertProblem(response, 401, 'invalid_dpop_proof');
    assert.match(response.headers['www-authenticate']!, /^DPoP algs="ES256 EdDSA PS256 RS256", error="invalid_dpop_proof"/);
  });

  it('answers a request without credentials with the DPoP challenge and no error code (RFC 6750 §3)', async () => {
    const client = await AdminApiClient.create(app.url);
    const response = await client.call('GET', '/keys', { proof: null });
    assertProblem(response, 401, 'credentials_required');
    assert.equal(response.headers['www-authenticate'], 'DPoP algs="ES256 EdDSA PS256 RS256"');
  });

  it('refuses the token without a proof, with a replayed proof, a proof by another key, for another request, or without ath', async () => {
    const client = await apiAs(app.url, await newAuditor());
    const token = client.token!;
    assertProblem(await client.call('GET', '/audit/verification', { proof: null }), 401, 'invalid_dpop_proof');

    const proof = await client.proofFor('GET', '/audit/verification', token);
    assert.equal((await client.call('GET', '/audit/verification', { proof })).status, 200);
    const replayed = await client.call('GET', '/audit/verification', { proof });
    assertProblem(replayed, 401, 'invalid_dpop_proof');
    assert.match(replayed.body.detail, /used already/);

    const otherKey = await dpopKey();
    const stolen = await client.call('GET', '/audit/verification', { proof: await client.proofFor('GET', '/audit/verification', token, otherKey) });
    assertProblem(stolen, 401, 'invalid_dpop_proof');
    assert.match(stolen.body.detail, /another key/);

    assertProblem(await client.call('GET', '/audit/verification', { proof: await client.proofFor('POST', '/audit/verification', token) }), 401, 'invalid_dpop_proof');
    assertProblem(await client.call('GET', '/audit/verification', { proof: await client.proofFor('GET', '/audit/entries', token) }), 401, 'invalid_dpop_proof');
    assertProblem(await client.call('GET', '/audit/verification', { proof: await client.proofFor('GET', '/audit/verification') }), 401, 'invalid_dpop_proof');
    const old = await client.proofFor('GET', '/audit/verification', token, client.key, { iat: Math.floor(Date.now() / 1000) - 600 });
    assertProblem(await client.call('GET', '/audit/verification', { proof: old }), 401, 'invalid_dpop_proof');
    const htu = `${app.url}${API}/audit/verification`;
    const untyped = await dpopProof(client.key, { htm: 'GET', htu }, { typ: 'JWT' });
    assertProblem(await client.call('GET', '/audit/verification', { proof: untyped }), 401, 'invalid_dpop_proof');

    const bearer = await client.call('GET', '/audit/verification', { scheme: 'Bearer' });
    assertProblem(bearer, 401, 'invalid_token');
    assert.equal(challengeError(bearer), 'invalid_token');
    assertProblem(await client.call('GET', '/audit/verification', { token: 'made-up-token' }), 401, 'invalid_token');
    // The refusals did not spend the token.
    assert.equal((await client.call('GET', '/audit/verification')).status, 200);
  });

  it('kills the token when the operator signs out', async () => {
    const client = await apiAs(app.url, await newAuditor());
    assert.equal((await client.call('DELETE', '/session')).status, 204);
    const after = await client.call('GET', '/session');
    assertProblem(after, 401, 'invalid_token');
    assert.equal(challengeError(after), 'invalid_token');
  });

  it('kills the token of an operator who is disabled, and of one whose sign-in session ended elsewhere', async () => {
    const leaver = await addOperator(app.container, admin, ['auditor']);
    const client = await apiAs(app.url, leaver);
    assert.equal((await client.call('GET', '/audit/verification')).status, 200);
    await app.container.operators.operations.perform('operators.disable', admin.actor, { operatorId: leaver.id });
    assertProblem(await client.call('GET', '/audit/verification'), 401, 'invalid_token');

    const another = await newAuditor();
    const other = await apiAs(app.url, another);
    await app.container.operators.authentication.endAll(another.id);
    assertProblem(await other.call('GET', '/audit/verification'), 401, 'invalid_token');
  });

  it('limits sign-in attempts per handle (429 with Retry-After), before checking anything', async () => {
    const target = await addOperator(app.container, admin, ['auditor']);
    const client = await AdminApiClient.create(app.url);
    const attempt = () => client.call('POST', '/session', { body: { handle: target.handle, password: 'wrong password here', code: '000000' } });
    for (let i = 0; i < app.container.config.operators.signInAttemptsPerHandle; i += 1) assertProblem(await attempt(), 400, 'sign_in_refused');
    const throttled = await attempt();
    assertProblem(throttled, 429, 'throttled');
    assert.equal(throttled.headers['retry-after'], String(app.container.config.operators.windowSeconds));
    const right = await client.call('POST', '/session', { body: { handle: target.handle, password: target.password, code: await freshCode(target) } });
    assertProblem(right, 429, 'throttled');
  });

  it('answers bad input, unknown routes and methods, and other media types as problems, changing nothing', async () => {
    const client = await apiAs(app.url, await newAuditor());
    const extra = await client.call('POST', '/session', { token: '', body: { handle: 'x', password: 'y', code: '1', admin: true } });
    assertProblem(extra, 400, 'invalid_input');
    assert.ok(extra.body.errors.length >= 1);
    const notFound = await client.call('GET', '/nothing-here', { undocumented: true });
    assertProblem(notFound, 404, 'not_found');
    const wrongMethod = await client.call('PUT', '/session', { undocumented: true });
    assertProblem(wrongMethod, 405, 'method_not_allowed');
    assert.match(wrongMethod.headers.allow ?? '', /GET/);
    const form = await client.call('POST', '/session', { token: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'handle=a&password=b&code=c', undocumented: true });
    assertProblem(form, 415, 'unsupported_media_type');
    const malformed = await client.call('POST', '/session', { token: '', headers: { 'content-type': 'application/json' }, body: '{"handle":', undocumented: true });
    assertProblem(malformed, 400, 'invalid_request');
  });
});

describe('admin API: token lifetime', function () {
  this.timeout(120000);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ configure: (config) => (config.operators.apiTokenSeconds = 2) });
  });
  after(async () => app?.stop());

  it('refuses a token after its lifetime, however valid its proof', async () => {
    const root = await bootstrapOperator(app.container);
    const client = await apiAs(app.url, root);
    assert.equal((await client.call('GET', '/keys')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const expired = await client.call('GET', '/keys');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.code, 'invalid_token');
    assert.match(expired.body.detail, /expired/);
  });
});
