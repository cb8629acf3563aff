// Key rotation with two instances on the same stores (issue 9): at every moment of a rotation,
// an ID token signed by either instance verifies at an ISP against the JWKS it fetches from the
// other one. Each instance reloads keys on its own poll, as in production, scaled down: a 1 s
// interval and an activation delay of two intervals (MIN_KEY_ACTIVATION_SECONDS's rule) keep the
// test to seconds. The same probe with no activation delay finds the window the rule closes.
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { ownRedisCluster } from '../support/redis-cluster.js';

const POLL_SECONDS = 1;

async function mintIdToken(app: TestApp, clientId: string): Promise<string> {
  const provider = app.container.providerHolder.current();
  const client = await provider.Client.find(clientId);
  assert.ok(client);
  const token = new provider.IdToken({ sub: 'rotation-probe' }, { client });
  return token.issue({ use: 'idtoken', expiresAt: Math.floor(Date.now() / 1000) + 60 }) as Promise<string>;
}

/** What an ISP does: verify against the JWKS fetched now, here from `app` (the other instance). */
async function verifiesAt(app: TestApp, token: string, issuer: string): Promise<boolean> {
  const jwks = (await (await fetch(`${app.url}/jwks`)).json()) as JSONWebKeySet;
  try {
    // In production both instances share one issuer; here each has its own port.
    await jwtVerify(token, createLocalJWKSet(jwks), { issuer });
    return true;
  } catch {
    return false;
  }
}

describe('key rotation with two instances (issue 9)', function () {
  this.timeout(40_000);
  let first: TestApp;
  let second: TestApp;
  let clientId: string;
  before(async () => {
    first = await startTestApp();
    second = await startTestApp({ shareWith: first });
    clientId = (await createClient(first.container)).client_id;
    for (const app of [first, second]) app.container.providerHolder.startPolling(POLL_SECONDS);
  });
  after(async () => {
    for (const app of [second, first]) app?.container.providerHolder.stopPolling();
    await second?.stop({ keepData: true });
    await first?.stop();
  });

  /** Mints on both instances every 100 ms for `ms` and verifies each at the other; the failures and the kids seen. */
  async function probe(ms: number) {
    const failures: string[] = [];
    const kids = new Set<string>();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const [signer, verifier, name] of [[first, second, 'first→second'], [second, first, 'second→first']] as const) {
        const token = await mintIdToken(signer, clientId);
        const { kid } = decodeProtectedHeader(token);
        kids.add(kid!);
        if (!(await verifiesAt(verifier, token, signer.url))) failures.push(`${name} ${kid}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { failures, kids };
  }

  it('with --activate-after two reload intervals, no token fails at the other instance at any moment', async () => {
    const before = decodeProtectedHeader(await mintIdToken(first, clientId)).kid;
    const { kids: rotated } = await first.container.keys.rotateSigningKeys(2 * POLL_SECONDS);
    // Through activation and until both instances have reloaded after it.
    const { failures, kids } = await probe((2 + 2) * POLL_SECONDS * 1000 + 500);
    assert.deepEqual(failures, []);
    assert.ok(kids.has(before!), 'tokens were signed with the old key during the rotation');
    assert.ok([...kids].some((kid) => rotated.includes(kid)), 'and with the new key after it activated');
    for (const app of [first, second]) assert.ok(rotated.includes(decodeProtectedHeader(await mintIdToken(app, clientId)).kid!), 'both now sign with the new key');
  });

  it('the probe can fail: with no activation delay some tokens miss from the other instance\'s JWKS', async () => {
    // The other instance has not polled yet (its poll stopped, to make the moment certain);
    // the rotating one reloads at once, as the one the CLI talked to would.
    second.container.providerHolder.stopPolling();
    await first.container.keys.rotateSigningKeys(0);
    await first.container.providerHolder.refresh();
    const { failures } = await probe(300);
    assert.ok(failures.some((failure) => failure.startsWith('first→second')), 'a key activated before the other instance loaded it fails verification there');
    await second.container.providerHolder.refresh();
    assert.deepEqual((await probe(300)).failures, [], 'and verifies once it has reloaded');
  });
});

// On one Redis server, and on a Redis Cluster (PUBLISH reaches subscribers on every node).
const redisSetups: Array<[string, () => Promise<Record<string, string>>]> = [
  ['Redis', async () => ({})],
  ['Redis Cluster', async () => (await ownRedisCluster()).env],
];

for (const [setup, redisEnv] of redisSetups) describe(`a rotation is announced to every instance at once over ${setup} (issue 9)`, function () {
  this.timeout(30_000);
  let first: TestApp;
  let second: TestApp;
  before(async function () {
    const env = await redisEnv();
    first = await startTestApp({ env });
    if (first.container.ephemeral.kind !== 'redis') this.skip();
    second = await startTestApp({ shareWith: first, env });
    // No polling here: only the announcement can bring the new key in.
    for (const app of [first, second]) await app.container.keyChanges.listen(() => app.container.providerHolder.refresh());
  });
  after(async () => {
    await second?.stop({ keepData: true });
    await first?.stop();
  });

  async function publishedKids(app: TestApp): Promise<string[]> {
    const jwks = (await (await fetch(`${app.url}/jwks`)).json()) as JSONWebKeySet;
    return jwks.keys.map((key) => key.kid!);
  }

  it('both instances publish the new (pending) keys within a second of the rotation', async () => {
    const { kids } = await first.container.keys.rotateSigningKeys(60);
    const until = Date.now() + 1_000;
    for (const app of [first, second]) {
      let published: string[] = [];
      while (Date.now() < until) {
        published = await publishedKids(app);
        if (kids.every((kid) => published.includes(kid))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(kids.every((kid) => published.includes(kid)), `${app === first ? 'first' : 'second'} instance publishes ${kids.join(', ')}: ${published.join(', ')}`);
    }
  });
});

