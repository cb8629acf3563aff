// PKCE stays required (RFC 9700 §2.1.1) except for a confidential ISP the operator granted the
// recorded legacy exception (`--allow-no-pkce`): then a nonce is required, the token endpoint
// still authenticates the client, `client show` and the audit log say so, and neither public
// clients nor dynamic registration can have it.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient, putInService } from '../support/factories.js';
import { authorizeUrl, basicAuth, signIn, type Credentials } from '../support/flow.js';
import { Browser, isPage } from '../support/browser.js';
import { runCommand } from '../../src/cli/registry.js';

const NO_PKCE = { code_challenge: undefined, code_challenge_method: undefined };

describe('the no-PKCE legacy exception', () => {
  let app: TestApp;
  let citizen: Credentials;
  before(async () => {
    app = await startTestApp();
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  async function cli(...argv: string[]) {
    const result = await runCommand(app.container, argv);
    return { code: result.exitCode ?? 0, output: result.output };
  }

  async function addLegacyIsp() {
    const added = await cli('client', 'add', '--name', 'Legacy ISP', '--redirect-uri', 'https://legacy.isp.example/cb', '--allow-no-pkce', '--json');
    assert.equal(added.code, 0, added.output);
    const created = JSON.parse(added.output) as { client_id: string; client_secret: string };
    await putInService(app.container, created.client_id);
    return { ...created, redirect_uri: 'https://legacy.isp.example/cb' };
  }

  async function authorizeError(client: { client_id: string; redirect_uri: string }, params: Record<string, string | undefined>) {
    const result = await new Browser(app.url).navigate(authorizeUrl(app.url, client, params).url.href);
    assert.ok(!isPage(result), 'redirected back to the ISP');
    return { error: result.redirectedTo.searchParams.get('error'), description: result.redirectedTo.searchParams.get('error_description') };
  }

  const token = (client: { client_id: string; client_secret?: string; redirect_uri: string }, code: string, authenticate: boolean) => {
    const req = request(app.url).post('/token').type('form');
    if (authenticate) req.set('authorization', basicAuth(client.client_id, client.client_secret!));
    return req.send({ grant_type: 'authorization_code', code, redirect_uri: client.redirect_uri, ...(authenticate ? {} : { client_id: client.client_id }) });
  };

  it('without the exception, a request without PKCE is refused', async () => {
    const client = await createClient(app.container);
    assert.equal((await authorizeError(client, NO_PKCE)).error, 'invalid_request');
  });

  it('with it, a confidential ISP signs in without PKCE, with a nonce and client authentication', async () => {
    const client = await addLegacyIsp();
    const flow = await signIn(app.url, client, citizen, { params: NO_PKCE });
    assert.ok(flow.code, `a code: ${flow.callback.href}`);
    const unauthenticated = await token(client, flow.code, false);
    assert.equal(unauthenticated.status, 401, 'client authentication is still required');
    const flow2 = await signIn(app.url, client, citizen, { params: NO_PKCE });
    const tokens = await token(client, flow2.code!, true);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.ok((tokens.body as { id_token?: string }).id_token);
  });

  it('with it, a request without PKCE and without a nonce is refused', async () => {
    const client = await addLegacyIsp();
    const refused = await authorizeError(client, { ...NO_PKCE, nonce: undefined });
    assert.equal(refused.error, 'invalid_request');
    assert.match(String(refused.description), /nonce/);
  });

  it('is visible in `client show` and recorded in the audit log, granted and withdrawn', async () => {
    const client = await addLegacyIsp();
    assert.equal((JSON.parse((await cli('client', 'show', client.client_id)).output) as { pkce_exception: boolean }).pkce_exception, true);
    assert.equal((await cli('client', 'update', client.client_id, '--require-pkce')).code, 0);
    assert.equal((JSON.parse((await cli('client', 'show', client.client_id)).output) as { pkce_exception: boolean }).pkce_exception, false);
    const entries = (await app.container.audit.latest({ limit: 200 })).filter((entry) => entry.type === 'client.pkce_exception' && entry.clientId === client.client_id);
    assert.deepEqual(entries.map((entry) => entry.details.status).sort(), ['granted', 'withdrawn']);
    assert.equal((await authorizeError(client, NO_PKCE)).error, 'invalid_request', 'withdrawn: PKCE required again');
  });

  it('is never available to a public client, nor through dynamic registration', async () => {
    const refused = await cli('client', 'add', '--name', 'Public', '--redirect-uri', 'https://pub.isp.example/cb', '--public', '--allow-no-pkce');
    assert.equal(refused.code, 1);
    assert.match(refused.output, /confidential/);
    const iat = await new (app.container.providerHolder.current().InitialAccessToken)({}).save();
    const registered = await request(app.url).post('/reg').set('authorization', `Bearer ${iat}`).send({ redirect_uris: ['https://reg.isp.example/cb'], cyberid_pkce_exception: true });
    assert.equal(registered.status, 400);
    assert.equal((registered.body as { error: string }).error, 'invalid_client_metadata');
  });
});
