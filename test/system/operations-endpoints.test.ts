// The endpoints operators point their tools at: liveness, readiness, Prometheus metrics.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { passwordSignIn } from '../support/sign-in.js';

describe('operations endpoints', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('reports liveness and readiness (both stores answer)', async () => {
    assert.deepEqual((await request(app.url).get('/healthz').expect(200)).body, { status: 'ok' });
    assert.deepEqual((await request(app.url).get('/readyz').expect(200)).body, { status: 'ready', database: true, ephemeral: true });
  });

  it('counts sign-in outcomes in Prometheus metrics, without saying who', async () => {
    const citizen = await app.container.citizens.createTestCitizen();
    await passwordSignIn(app.container.signIn, citizen.cyberspace_id, citizen.password);
    await passwordSignIn(app.container.signIn, citizen.cyberspace_id, 'wrong password');
    await passwordSignIn(app.container.signIn, 'not a valid id', 'whatever');
    const text = (await request(app.url).get('/metrics').expect(200)).text;
    assert.match(text, /cyberid_sign_ins_total\{outcome="succeeded"\} 1/);
    assert.match(text, /cyberid_sign_ins_total\{outcome="invalid_credentials"\} 1/);
    assert.match(text, /cyberid_sign_ins_total\{outcome="malformed_id"\} 1/);
    assert.match(text, /cyberid_http_request_duration_seconds_bucket/);
    assert.ok(!text.includes(citizen.cyberspace_id), 'no identifier in metrics');
  });
});
