// /metrics is not for the public (issue 11): a bearer token (METRICS_TOKEN), or a listener of its
// own (METRICS_ADDRESS) with the public port serving nothing; in production with neither, the
// public port does not serve it (config.test.ts covers that decision, here its effect).
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, freePort, type TestApp } from '../support/test-app.js';
import { listenForMetrics } from '../../src/metrics-server.js';
import { bearerMatches } from '../../src/web/metrics-access.js';

const TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

describe('/metrics access', () => {
  describe('with METRICS_TOKEN', () => {
    let app: TestApp;
    before(async () => (app = await startTestApp({ env: { METRICS_TOKEN: TOKEN } })));
    after(async () => app.stop());

    it('answers 401 with a Bearer challenge without the token, or with a wrong one', async () => {
      for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN, 'Bearer ']) {
        const req = request(app.url).get('/metrics');
        if (authorization !== undefined) req.set('authorization', authorization);
        const response = await req;
        assert.equal(response.status, 401, `authorization: ${authorization}`);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="metrics"');
        assert.ok(!response.text.includes('cyberid_'), 'no metric is shown');
      }
    });

    it('serves the metrics with the token', async () => {
      const response = await request(app.url).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
      assert.match(response.text, /cyberid_http_request_duration_seconds/);
      assert.equal(response.headers['cache-control'], 'no-store');
    });
  });

  describe('with METRICS_ADDRESS', () => {
    let app: TestApp;
    let port: number;
    before(async () => {
      port = await freePort();
      app = await startTestApp({ env: { METRICS_ADDRESS: `127.0.0.1:${port}` } });
    });
    after(async () => app.stop());

    it('the public port does not serve them; their own listener does, and nothing else', async () => {
      assert.equal((await request(app.url).get('/metrics')).status, 404);
      const server = await listenForMetrics(app.container.metrics, app.container.config.metrics.address!, app.container.config.metrics.token);
      try {
        assert.equal(server.url, `http://127.0.0.1:${port}`);
        assert.match((await request(server.url).get('/metrics').expect(200)).text, /cyberid_sign_ins_total|cyberid_http_request_duration_seconds/);
        assert.equal((await request(server.url).get('/healthz')).status, 404);
        assert.equal((await request(server.url).get('/.well-known/openid-configuration')).status, 404);
      } finally {
        await server.stop();
      }
    });
  });

  describe('in production with neither', () => {
    let app: TestApp;
    before(async () => (app = await startTestApp({ configure: (config) => void (config.metrics = { token: undefined, address: undefined, onPublicPort: false }) })));
    after(async () => app.stop());

    it('the public port does not serve them', async () => {
      assert.equal((await request(app.url).get('/metrics')).status, 404);
      assert.equal((await request(app.url).get('/healthz')).status, 200, 'health checks are unaffected');
    });
  });

  it('compares the bearer token whole (bearerMatches)', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`bearer ${TOKEN}`, TOKEN), true, 'the scheme is case-insensitive (RFC 7235 §2.1)');
    for (const header of [undefined, '', 'Bearer', `Bearer ${TOKEN} extra`, `Bearer  ${TOKEN}`, `Token ${TOKEN}`]) {
      assert.equal(bearerMatches(header, TOKEN), false, String(header));
    }
  });
});
