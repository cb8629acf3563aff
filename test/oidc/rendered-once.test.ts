// Discovery and JWKS are serialised once per provider instance and origin
// (src/oidc/rendered-once.ts): every answer is the same document with oidc-provider's own headers,
// and a request from another origin (a trusted proxy's X-Forwarded-Proto) is never answered with
// a body built for the first one. (That a key rotation publishes the new keys at once, through a
// new provider instance, is test/oidc/signing-keys.test.ts.)
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('discovery and JWKS rendered once', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  });
  after(() => app.stop());

  it('answers the same document each time, with its content type and CORS header', async () => {
    for (const [path, type] of [['/.well-known/openid-configuration', /^application\/json/], ['/jwks', /^application\/jwk-set\+json/]] as const) {
      const first = await request(app.url).get(path).set('origin', 'https://isp.example').expect(200);
      const second = await request(app.url).get(path).set('origin', 'https://isp.example').expect(200);
      assert.equal(second.text, first.text, path);
      assert.match(second.headers['content-type'] ?? '', type, path);
      assert.equal(second.headers['access-control-allow-origin'], 'https://isp.example', path);
      assert.equal(Number(second.headers['content-length']), Buffer.byteLength(second.text), path);
      assert.ok(JSON.parse(second.text), path);
    }
    const rfc8414 = await request(app.url).get('/.well-known/oauth-authorization-server').expect(200);
    assert.equal(JSON.parse(rfc8414.text).issuer, app.url);
  });

  it('keeps one body per origin: endpoint URLs follow the request as oidc-provider builds them', async () => {
    const proxied = await request(app.url).get('/.well-known/openid-configuration').set('x-forwarded-proto', 'https').expect(200);
    const direct = await request(app.url).get('/.well-known/openid-configuration').expect(200);
    assert.match(String(proxied.body.token_endpoint), /^https:\/\//);
    assert.match(String(direct.body.token_endpoint), /^http:\/\//);
    const again = await request(app.url).get('/.well-known/openid-configuration').set('x-forwarded-proto', 'https').expect(200);
    assert.equal(again.text, proxied.text);
  });
});
