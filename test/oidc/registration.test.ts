// Dynamic client registration (RFC 7591, RFC 7592): only with an operator-issued initial
// access token; registered clients are pairwise; and registration enforces exactly the redirect
// URI policy the operator CLI enforces (src/services/redirect-uri-policy.ts) — https, loopback
// http for native apps, reverse-domain private-use schemes — plus OIDC Core §8.1's sector rule.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, putInService } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { authorizeUrl, signIn } from '../support/flow.js';
import { idTokenClaims, redeem } from '../support/tokens.js';
import { ValidationError } from '../../src/errors.js';

const SECTOR_URI = 'https://apps.isp.example/sector.json';
const SECTOR_MEMBERS = ['https://www.isp.example/callback', 'https://m.isp.example/callback', 'cn.isp.example.app:/callback'];

describe('dynamic client registration', () => {
  let app: TestApp;
  before(async () => {
    const fetchForApp: typeof globalThis.fetch = async (input, init) => {
      const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (href === SECTOR_URI) return new Response(JSON.stringify(SECTOR_MEMBERS), { status: 200, headers: { 'content-type': 'application/json' } });
      return globalThis.fetch(input, init);
    };
    app = await startTestApp({ fetch: fetchForApp });
  });
  after(async () => app.stop());

  async function initialAccessToken(): Promise<string> {
    const { InitialAccessToken } = app.container.providerHolder.current();
    return new InitialAccessToken({}).save();
  }

  async function register(metadata: Record<string, unknown>, token?: string) {
    const req = request(app.url).post('/reg').send(metadata);
    if (token !== undefined) req.set('authorization', `Bearer ${token}`);
    const response = await req;
    return { status: response.status, body: response.body as Record<string, unknown> & { error?: string; error_description?: string } };
  }

  const clientCount = async () => (await app.container.clients.listClients()).length;

  /** Registration must fail with `error` and store nothing. */
  async function assertRefused(metadata: Record<string, unknown>, error: string, description?: RegExp) {
    const before = await clientCount();
    const response = await register(metadata, await initialAccessToken());
    assert.equal(response.status, 400, `refused: ${JSON.stringify(metadata)} → ${response.status} ${JSON.stringify(response.body)}`);
    assert.equal(response.body.error, error, JSON.stringify(response.body));
    if (description) assert.match(String(response.body.error_description), description);
    assert.equal(await clientCount(), before, 'nothing is stored');
  }

  describe('the initial access token', () => {
    it('is required: without one, 401 invalid_token and nothing registered', async () => {
      const before = await clientCount();
      const response = await register({ redirect_uris: ['https://isp.example/callback'] });
      assert.equal(response.status, 401);
      assert.equal(response.body.error, 'invalid_token');
      assert.equal(await clientCount(), before);
    });

    it('must be one the operator issued: an unknown one gets 401 invalid_token', async () => {
      const response = await register({ redirect_uris: ['https://isp.example/callback'] }, 'made-up-initial-access-token-value-0123');
      assert.equal(response.status, 401);
      assert.equal(response.body.error, 'invalid_token');
    });
  });

  it('registers a pairwise, usable client with an operator-issued token (201)', async () => {
    const response = await register({ client_name: 'Registered ISP', redirect_uris: ['https://reg.isp.example/callback'] }, await initialAccessToken());
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const body = response.body as { client_id: string; client_secret: string; subject_type: string; registration_access_token: string; redirect_uris: string[] };
    assert.equal(body.subject_type, 'pairwise');
    assert.match(body.client_id, /^isp_/);
    assert.ok(body.client_secret, 'a confidential client gets a secret');
    assert.ok(body.registration_access_token);
    assert.equal((await app.container.clients.findClient(body.client_id))?.status, 'submitted', 'it is in the ISP registry, awaiting review');
    assert.equal(response.body.cyberid_onboarding_status, 'submitted');
    const [registeredEntry] = await app.container.db.knex('audit_log').where({ client_id: body.client_id, type: 'client.registered' });
    assert.deepEqual([registeredEntry?.actor, registeredEntry?.details], ['isp', { reason_code: 'dynamic_registration', status: 'submitted', profile: 'default' }], 'the submission is in the audit log for the operator');
    assert.match(String(response.body.cyberid_onboarding_notice), /awaits review.*cannot sign citizens in/);

    const citizen = await createCitizen(app.container);
    const client = { client_id: body.client_id, client_secret: body.client_secret, redirect_uri: body.redirect_uris[0]! };
    const refused = await new Browser(app.url).navigate(authorizeUrl(app.url, client).url.href);
    assert.ok(isPage(refused) && refused.status === 400, 'a submitted ISP cannot sign citizens in');
    const read = await request(app.url).get(`/reg/${body.client_id}`).set('authorization', `Bearer ${body.registration_access_token}`);
    assert.equal(read.status, 200, 'it can read its registration meanwhile (RFC 7592)');
    assert.equal(read.body.cyberid_onboarding_status, 'submitted');

    await putInService(app.container, body.client_id);
    const reread = await request(app.url).get(`/reg/${body.client_id}`).set('authorization', `Bearer ${read.body.registration_access_token ?? body.registration_access_token}`);
    assert.equal(reread.body.cyberid_onboarding_status, 'active');
    assert.equal(reread.body.cyberid_onboarding_notice, undefined);
    const tokens = await redeem(app.url, client, await signIn(app.url, client, citizen));
    assert.notEqual(idTokenClaims(tokens).sub, citizen.cyberspace_id, 'the ISP sees a pairwise ID');
  });

  it('refuses subject_type public', async () => {
    await assertRefused({ redirect_uris: ['https://isp.example/callback'], subject_type: 'public' }, 'invalid_client_metadata');
  });

  describe('redirect URI policy (the same as the CLI\'s)', () => {
    it('refuses an http redirect URI that is not loopback, with invalid_redirect_uri', async () => {
      await assertRefused({ redirect_uris: ['http://isp.example/callback'] }, 'invalid_redirect_uri', /http/);
      await assertRefused({ redirect_uris: ['https://isp.example/callback', 'http://isp.example/other'] }, 'invalid_redirect_uri');
    });

    it('refuses relative, wildcard and fragment redirect URIs with invalid_redirect_uri (never a 500, never registered)', async () => {
      await assertRefused({ redirect_uris: ['/callback'] }, 'invalid_redirect_uri', /absolute/);
      await assertRefused({ redirect_uris: ['callback'] }, 'invalid_redirect_uri', /absolute/);
      await assertRefused({ redirect_uris: ['https://*.isp.example/callback'] }, 'invalid_redirect_uri', /wildcard/);
      await assertRefused({ redirect_uris: ['https://isp.example/*'] }, 'invalid_redirect_uri', /wildcard/);
      await assertRefused({ redirect_uris: ['https://isp.example/callback#frag'] }, 'invalid_redirect_uri', /fragment/);
    });

    it('refuses a non-loopback http post_logout_redirect_uri', async () => {
      await assertRefused({ redirect_uris: ['https://isp.example/callback'], post_logout_redirect_uris: ['http://isp.example/bye'] }, 'invalid_client_metadata', /post_logout_redirect_uris/);
    });

    it('refuses redirect URIs on several hosts without a sector_identifier_uri (OIDC Core §8.1)', async () => {
      await assertRefused({ redirect_uris: ['https://www.isp.example/callback', 'https://m.isp.example/callback'] }, 'invalid_client_metadata', /sector_identifier_uri/);
    });

    it('accepts several hosts with a sector_identifier_uri that lists them', async () => {
      const response = await register({ redirect_uris: SECTOR_MEMBERS.slice(0, 2), sector_identifier_uri: SECTOR_URI }, await initialAccessToken());
      assert.equal(response.status, 201, JSON.stringify(response.body));
    });

    it('accepts a native app\'s loopback and, with a sector_identifier_uri, private-use scheme redirect URIs', async () => {
      const loopback = await register({ application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] }, await initialAccessToken());
      assert.equal(loopback.status, 201, JSON.stringify(loopback.body));
      const scheme = await register({ application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: [SECTOR_MEMBERS[2]], sector_identifier_uri: SECTOR_URI }, await initialAccessToken());
      assert.equal(scheme.status, 201, JSON.stringify(scheme.body));
      assert.equal(scheme.body.client_secret, undefined, 'a public client gets no secret');
    });

    it('refuses a private-use scheme without a sector_identifier_uri (no host, no pairwise sector)', async () => {
      await assertRefused({ application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['cn.isp.example.app:/callback'] }, 'invalid_redirect_uri', /sector/);
    });

    // One table, two doors: each URI gets the same verdict from the operator CLI's service and
    // from POST /reg.
    const cases: Array<[string, 'web' | 'native']> = [
      ['https://isp.example/callback', 'web'],
      ['http://isp.example/callback', 'web'],
      ['http://192.168.1.10/callback', 'native'],
      ['http://localhost/callback', 'native'],
      ['http://[::1]/callback', 'native'],
      ['https://isp.example/callback#fragment', 'web'],
      ['myapp:/callback', 'native'],
      ['cn.isp.example.app:/callback', 'native'],
      ['javascript:alert(1)', 'web'],
      ['file:///etc/passwd', 'native'],
    ];
    for (const [uri, applicationType] of cases) {
      it(`gives ${uri} the same verdict as the CLI`, async () => {
        const isPublic = applicationType === 'native';
        let cliAccepts = true;
        try {
          await app.container.clients.addClient({ name: 'CLI twin', redirectUris: [uri], public: isPublic });
        } catch (error) {
          assert.ok(error instanceof ValidationError, String(error));
          cliAccepts = false;
        }
        const response = await register({
          application_type: applicationType,
          redirect_uris: [uri],
          ...(isPublic ? { token_endpoint_auth_method: 'none' } : {}),
        }, await initialAccessToken());
        assert.equal(response.status === 201, cliAccepts, `CLI ${cliAccepts ? 'accepts' : 'refuses'}, /reg answered ${response.status} ${JSON.stringify(response.body)}`);
        if (!cliAccepts) assert.ok(['invalid_redirect_uri', 'invalid_client_metadata'].includes(String(response.body.error)));
      });
    }
  });

  it('applies the same policy to updates through the registration access token (RFC 7592)', async () => {
    const created = await register({ client_name: 'Updatable', redirect_uris: ['https://upd.isp.example/callback'] }, await initialAccessToken());
    assert.equal(created.status, 201);
    const body = created.body as { client_id: string; registration_access_token: string; registration_client_uri: string };
    const path = new URL(body.registration_client_uri).pathname;
    const update = await request(app.url).put(path).set('authorization', `Bearer ${body.registration_access_token}`)
      .send({ client_id: body.client_id, redirect_uris: ['http://upd.isp.example/callback'] });
    assert.equal(update.status, 400, JSON.stringify(update.body));
    assert.equal((update.body as { error: string }).error, 'invalid_redirect_uri');
    const stored = await app.container.clients.findClient(body.client_id);
    assert.deepEqual(stored?.redirect_uris, ['https://upd.isp.example/callback'], 'the registered URI is unchanged');
  });

  it('refuses an ISP\'s own update that would move its pairwise sector (every citizen\'s sub would change)', async () => {
    const created = await register({ client_name: 'Mover', redirect_uris: ['https://old.isp.example/callback'] }, await initialAccessToken());
    assert.equal(created.status, 201);
    const body = created.body as { client_id: string; registration_access_token: string; registration_client_uri: string };
    const update = await request(app.url).put(new URL(body.registration_client_uri).pathname).set('authorization', `Bearer ${body.registration_access_token}`)
      .send({ client_id: body.client_id, redirect_uris: ['https://new.isp.example/callback'] });
    assert.equal(update.status, 400, JSON.stringify(update.body));
    assert.equal((update.body as { error: string }).error, 'invalid_client_metadata');
    assert.match((update.body as { error_description: string }).error_description, /pairwise sector/);
    assert.deepEqual((await app.container.clients.findClient(body.client_id))?.redirect_uris, ['https://old.isp.example/callback']);
  });
});
