// oidc-provider's endpoints are dispatched ahead of our routers (src/web/provider-routes.ts):
// every endpoint discovery advertises takes that path, and on it the responses keep what every
// response of ours carries — a request id, the security headers, the host guard, the endpoint
// input guard — while a method the provider does not serve there is still a 404 of ours.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { basicAuth } from '../support/flow.js';
import { isProviderPath } from '../../src/web/provider-routes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkCommonHeaders(headers: Record<string, string>, where: string) {
  assert.match(headers['x-request-id'] ?? '', UUID, `${where}: x-request-id`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${where}: nosniff`);
  assert.equal(headers['x-frame-options'], 'DENY', `${where}: X-Frame-Options`);
  assert.equal(headers['referrer-policy'], 'same-origin', `${where}: Referrer-Policy`);
}

describe('oidc-provider endpoints ahead of our routers', () => {
  let app: TestApp;
  let client: { client_id: string; client_secret: string; redirect_uri: string };
  let discovery: Record<string, unknown>;
  before(async () => {
    app = await startTestApp();
    client = (await createClient(app.container, { name: 'Routes ISP' })) as typeof client;
    discovery = (await request(app.url).get('/.well-known/openid-configuration').expect(200)).body as Record<string, unknown>;
  });
  after(() => app.stop());

  it('takes every endpoint discovery advertises, and none of our pages', () => {
    const endpoints = Object.entries(discovery).filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string');
    assert.ok(endpoints.length >= 8, `endpoints advertised: ${endpoints.map(([k]) => k).join(', ')}`);
    for (const [key, url] of endpoints) assert.ok(isProviderPath(new URL(url as string).pathname), `${key} (${String(url)}) is dispatched to the provider first`);
    assert.ok(isProviderPath('/.well-known/oauth-authorization-server'));
    assert.ok(isProviderPath('/auth/some-interaction-uid'), 'the authorization resume');
    for (const page of ['/', '/interaction/abc', '/account', '/developers', '/healthz', '/api/admin/clients', '/static/site.css', '/tokens']) {
      assert.equal(isProviderPath(page), false, page);
    }
  });

  it('keeps the request id and the security headers on discovery, JWKS and token responses', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await request(app.url).get(path).expect(200);
      checkCommonHeaders(response.headers as Record<string, string>, path);
    }
    const token = await request(app.url).post('/token').set('authorization', basicAuth(client.client_id, client.client_secret)).type('form').send({ grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: client.redirect_uri });
    assert.equal(token.status, 400);
    assert.equal(token.body.error, 'invalid_grant');
    checkCommonHeaders(token.headers as Record<string, string>, '/token');
  });

  it('still refuses another host and hostile bodies there', async () => {
    const forged = await request(app.url).get('/jwks').set('host', 'evil.example');
    assert.equal(forged.status, 400);
    const hostile = await request(app.url).post('/token').set('authorization', basicAuth(client.client_id, client.client_secret)).type('form').send('grant_type=authorization_code&grant_type=refresh_token');
    assert.equal(hostile.status, 400);
    assert.equal(hostile.body.error, 'invalid_request');
    assert.match(String(hostile.body.error_description), /grant_type/);
  });

  it('answers a method the provider does not serve on its path with our 404', async () => {
    const response = await request(app.url).get('/token').set('accept', 'application/json');
    assert.equal(response.status, 404);
    assert.equal(response.body.request_id, response.headers['x-request-id']);
    checkCommonHeaders(response.headers as Record<string, string>, 'GET /token');
  });
});
