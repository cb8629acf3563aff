// Back-channel logout deliveries through the durable outbox (services/logout-deliveries.ts):
// real HTTP receivers on 127.0.0.1 — one that refuses the first deliveries and then accepts,
// one that never accepts. Each failure is logged with the ISP's id and the reason; the
// operator lists what is pending and what was given up; a delivered logout is not kept.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { isPage } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';
import { nextAttemptIn } from '../../src/outbox/polling-loop.js';

const MAX_ATTEMPTS = 3;

/** An ISP's back-channel logout endpoint that answers `refusals` deliveries with 503 first. */
async function receiver(refusals: number) {
  const received: string[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      calls += 1;
      if (calls <= refusals) return void res.writeHead(503).end('busy');
      received.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`, received, calls: () => calls, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('back-channel logout outbox', () => {
  let app: TestApp;
  let citizen: Credentials;
  let flaky: Awaited<ReturnType<typeof receiver>>;
  let down: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    [flaky, down] = await Promise.all([receiver(2), receiver(Number.POSITIVE_INFINITY)]);
    // No back-off wait, so the test drives each retry with one worker round.
    app = await startTestApp({ configure: (config) => void (config.logoutDeliveries = { ...config.logoutDeliveries, retryBaseSeconds: 0, retryMaxSeconds: 0, maxAttempts: MAX_ATTEMPTS }) });
    citizen = await createCitizen(app.container);
  });
  after(async () => {
    await app.stop();
    await Promise.all([flaky.close(), down.close()]);
  });

  async function signInAndLogOut(backchannelLogoutUri: string) {
    const client = await createClient(app.container, { redirectUris: ['https://rp.isp.example/cb'], postLogoutRedirectUris: ['https://rp.isp.example/bye'], backchannelLogoutUri });
    const flow = await signIn(app.url, client, citizen);
    const tokens = await redeem(app.url, client, flow);
    const page = await flow.browser.navigate(`${app.url}/session/end?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('https://rp.isp.example/bye')}`);
    assert.ok(isPage(page));
    assert.ok(!isPage(await flow.browser.submit(page, 'form[action$="/session/end/confirm"]', { logout: 'yes' })), 'the logout completes whatever the ISP answers');
    return { clientId: client.client_id, sid: String(idTokenClaims(tokens).sid) };
  }

  const listed = async (args: string[] = []) =>
    JSON.parse((await runCommand(app.container, ['logout-deliveries', 'list', '--json', ...args])).output) as Array<{ client_id: string; status: string; attempts: number; last_error: string | null }>;
  const logLines = (clientId: string, text: string) => app.logs.filter((line) => line.includes(clientId) && line.includes(text));

  it('retries a refused delivery until the ISP accepts it, logging each failure, then forgets it', async () => {
    const { clientId, sid } = await signInAndLogOut(flaky.url);
    assert.equal(flaky.calls(), 1, 'tried at once, during the logout');
    let pending = await listed(['--client', clientId]);
    assert.equal(pending.length, 1);
    assert.equal(pending[0]!.status, 'pending');
    assert.match(String(pending[0]!.last_error), /503/);

    await app.container.logoutDeliveries.worker.runOnce();
    assert.equal(flaky.calls(), 2);
    await app.container.logoutDeliveries.worker.runOnce();
    assert.equal(flaky.calls(), 3);
    assert.equal(flaky.received.length, 1, 'accepted on the third attempt');
    const token = decodeJwt(flaky.received[0]!);
    assert.equal(token.aud, clientId);
    assert.equal(token.sid, sid, 'the delivered token still names the session that ended');

    const failures = logLines(clientId, 'back-channel logout delivery failed; will retry');
    assert.equal(failures.length, 2, 'each failure logged');
    for (const line of failures) {
      assert.match(line, /503/, 'with the reason');
      assert.doesNotMatch(line, /logout_token|eyJ/, 'never the token');
    }
    pending = await listed(['--client', clientId]);
    assert.deepEqual(pending, [], 'a delivered logout is not kept');
  });

  it('gives a delivery up after the configured attempts and shows it to the operator as failed', async () => {
    const { clientId } = await signInAndLogOut(down.url);
    for (let round = 0; round < MAX_ATTEMPTS + 2; round += 1) await app.container.logoutDeliveries.worker.runOnce();
    assert.equal(down.calls(), MAX_ATTEMPTS, 'no attempt after the last one');
    const [failed] = await listed(['--status', 'failed', '--client', clientId]);
    assert.ok(failed, 'listed as failed');
    assert.equal(failed.attempts, MAX_ATTEMPTS);
    assert.match(String(failed.last_error), /503/);
    assert.deepEqual(await listed(['--status', 'pending', '--client', clientId]), []);
    assert.equal(logLines(clientId, 'given up').length, 1, 'the giving up is logged once, with the ISP\'s id');
    const metric = await app.container.metrics.registry.getSingleMetricAsString('cyberid_backchannel_logout_deliveries_total');
    assert.match(metric, /outcome="given_up"\} 1/);
    assert.match(metric, /outcome="delivered"\} 1/, 'the first test\'s delivery');
    assert.match(metric, /outcome="will_retry"\} 4/, 'two retries in each test');
    const text = (await runCommand(app.container, ['logout-deliveries', 'list', '--status', 'failed'])).output;
    assert.match(text, new RegExp(`failed\\s+${clientId}`));
    assert.doesNotMatch(JSON.stringify(await listed()), /account|sid/, 'the operator sees no account or session');
  });

  it('survives the instance that queued it: another instance on the same stores delivers it', async () => {
    const later = await receiver(1);
    const first = await startTestApp({ configure: (config) => void (config.logoutDeliveries = { ...config.logoutDeliveries, retryBaseSeconds: 0, maxAttempts: MAX_ATTEMPTS }) });
    let second: TestApp | undefined;
    try {
      const someone = await createCitizen(first.container);
      const client = await createClient(first.container, { redirectUris: ['https://rp.isp.example/cb'], backchannelLogoutUri: later.url });
      const flow = await signIn(first.url, client, someone);
      await redeem(first.url, client, flow);
      const [grant] = await first.container.durable.findGrantsByAccount(someone.cyberspace_id);
      assert.ok(grant, 'the citizen has a grant at the ISP');
      await first.container.revocations.revokeClient(String(grant.payload.accountId), client.client_id);
      assert.equal(later.calls(), 1, 'refused once, while the first instance ran');
      await first.stop({ keepData: true });
      second = await startTestApp({ shareWith: first, configure: (config) => void (config.logoutDeliveries = { ...config.logoutDeliveries, retryBaseSeconds: 0 }) });
      await second.container.logoutDeliveries.worker.runOnce();
      assert.equal(later.received.length, 1, 'delivered by the second instance');
      assert.equal(decodeJwt(later.received[0]!).sid, undefined, 'a revocation ends no browser session: sub only');
    } finally {
      await (second ?? first).stop();
      await later.close();
    }
  });

  it('backs off exponentially, capped, and gives up after the last attempt', () => {
    const retry = { baseSeconds: 30, maxSeconds: 3600, maxAttempts: 10, leaseSeconds: 60 };
    assert.deepEqual([1, 2, 3, 4, 7, 8, 9].map((attempt) => nextAttemptIn(attempt, retry)), [30, 60, 120, 240, 1920, 3600, 3600]);
    assert.equal(nextAttemptIn(10, retry), undefined);
  });
});
