// The HTTP identity authority adapter against a stub authority that this test starts: the
// answer mapping, the bearer token, bounded retries of transient failures only, and the
// circuit breaker (no request reaches the authority while it is open) — for verification and
// for the guardian relationship query (docs/identity-authority.md).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpAuthority, guardianshipUrl, type HttpAuthorityOptions } from '../../src/identity-authority/http.js';
import type { GuardianPair, IdentityClaim } from '../../src/identity-authority/port.js';
import { startTestApp } from '../support/test-app.js';
import { answer, startAuthorityStub, type AuthorityStub, type Reply } from '../support/authority-stub.js';

const claim: IdentityClaim = { documentType: 'resident_id', documentNumber: '110101199005170112', name: '张伟', birthDate: '1990-05-17' };
const pair: GuardianPair = {
  guardian: { documentType: 'resident_id', documentNumber: '110101199005170112' },
  ward: { documentType: 'resident_id', documentNumber: '510104201602290124' },
};

describe('HTTP identity authority', () => {
  let stub: AuthorityStub;
  let warnings: string[];
  const authority = (options: Partial<HttpAuthorityOptions> = {}) => createHttpAuthority({
    url: stub.url,
    credentials: { bearerToken: 'sandbox-token' },
    timeoutMs: 200,
    retries: 2,
    backoffMs: 1,
    breaker: { failureThreshold: 100, resetAfterMs: 60_000 },
    logger: { warn: ((...args: unknown[]) => warnings.push(JSON.stringify(args))) as never },
    ...options,
  });
  beforeEach(async () => {
    stub = await startAuthorityStub();
    warnings = [];
  });
  afterEach(async () => {
    await stub.close();
    for (const line of warnings) {
      for (const value of [...Object.values(claim), pair.ward.documentNumber]) assert.ok(!line.includes(value), `a log line holds ${value}: ${line}`);
    }
  });

  it('POSTs the claim as JSON with the bearer token and maps the answers', async () => {
    assert.deepEqual(await authority().verify(claim), { outcome: 'verified' });
    stub.reply = () => answer('not_verified');
    assert.deepEqual(await authority().verify(claim), { outcome: 'not_verified' });
    assert.equal(stub.requests.length, 2, 'a definite answer is not retried');
    const [request] = stub.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.url, '/v1/verify', 'nothing personal in the URL');
    assert.equal(request!.headers.authorization, 'Bearer sandbox-token');
    assert.match(request!.headers['content-type']!, /^application\/json/);
    assert.deepEqual(JSON.parse(request!.body), { document_type: 'resident_id', document_number: '110101199005170112', name: '张伟', birth_date: '1990-05-17' });
  });

  it('sends no Authorization header without a token', async () => {
    await authority({ credentials: { bearerToken: undefined } }).verify(claim);
    assert.equal(stub.requests[0]!.headers.authorization, undefined);
  });

  it('retries a timeout up to the bound, then answers unavailable', async () => {
    stub.reply = () => ({ ...answer('verified'), delayMs: 1000 });
    const started = Date.now();
    assert.deepEqual(await authority({ timeoutMs: 100, retries: 2 }).verify(claim), { outcome: 'unavailable' });
    assert.equal(stub.requests.length, 3);
    assert.ok(Date.now() - started < 900, 'each attempt stops at its timeout');
  });

  it('retries 5xx up to the bound', async () => {
    stub.reply = () => ({ status: 503 });
    assert.deepEqual(await authority({ retries: 3 }).verify(claim), { outcome: 'unavailable' });
    assert.equal(stub.requests.length, 4);
  });

  it('takes the answer of a retry that succeeds', async () => {
    stub.reply = () => (stub.requests.length === 1 ? { status: 502 } : answer('verified'));
    assert.deepEqual(await authority().verify(claim), { outcome: 'verified' });
    assert.equal(stub.requests.length, 2);
  });

  it('retries network errors', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => { calls++; throw new TypeError('fetch failed'); };
    assert.deepEqual(await authority({ fetch: failing, retries: 2 }).verify(claim), { outcome: 'unavailable' });
    assert.equal(calls, 3);
  });

  const notRetried: Array<[string, Reply]> = [
    ['401 (wrong token)', { status: 401 }],
    ['400', { status: 400, body: '{"error":"bad request"}' }],
    ['429 (back off)', { status: 429 }],
    ['a 200 with an unknown outcome', answer('maybe')],
    ['a 200 that is not JSON', { status: 200, body: '<html>' }],
    ['a redirect (personal data is not sent on)', { status: 307, headers: { location: '/elsewhere' } }],
  ];
  for (const [what, reply] of notRetried) {
    it(`does not retry ${what}, and answers unavailable`, async () => {
      stub.reply = () => reply;
      assert.deepEqual(await authority().verify(claim), { outcome: 'unavailable' });
      assert.deepEqual(stub.requests.map((r) => r.url), ['/v1/verify']);
    });
  }

  it('warns the operator when the authority refuses our requests', async () => {
    stub.reply = () => ({ status: 403 });
    await authority().verify(claim);
    assert.ok(warnings.some((line) => line.includes('403') && line.includes('IDENTITY_AUTHORITY_TOKEN')), warnings.join('\n'));
  });

  it('opens the breaker after N failed verifications: no request reaches the authority until the reset', async () => {
    stub.reply = () => ({ status: 500 });
    const subject = authority({ retries: 1, breaker: { failureThreshold: 3, resetAfterMs: 300 } });
    for (let i = 0; i < 3; i++) assert.deepEqual(await subject.verify(claim), { outcome: 'unavailable' });
    assert.equal(stub.requests.length, 6);

    stub.reply = () => answer('verified');
    for (let i = 0; i < 5; i++) assert.deepEqual(await subject.verify(claim), { outcome: 'unavailable' });
    assert.equal(stub.requests.length, 6, 'nothing reached the stub while the breaker was open');
    assert.ok(warnings.some((line) => line.includes('circuit open')));

    await sleep(320);
    assert.deepEqual(await subject.verify(claim), { outcome: 'verified' });
    assert.deepEqual(await subject.verify(claim), { outcome: 'verified' });
    assert.equal(stub.requests.length, 8);
    assert.ok(warnings.some((line) => line.includes('circuit closed')));
  });

  it('lets one trial through when half-open, and opens again if it fails', async () => {
    stub.reply = () => ({ status: 500 });
    const subject = authority({ retries: 0, breaker: { failureThreshold: 1, resetAfterMs: 200 } });
    await subject.verify(claim);
    await sleep(220);
    stub.reply = () => ({ ...answer('verified'), delayMs: 100 });
    const outcomes = await Promise.all([subject.verify(claim), subject.verify(claim), subject.verify(claim)]);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['unavailable', 'unavailable', 'verified']);
    assert.equal(stub.requests.length, 2, 'one trial request');

    stub.reply = () => ({ status: 500 });
    await subject.verify(claim);
    await sleep(220);
    await subject.verify(claim);
    assert.equal(stub.requests.length, 4);
    stub.reply = () => answer('verified');
    assert.deepEqual(await subject.verify(claim), { outcome: 'unavailable' }, 'the failed trial opened it again');
    assert.equal(stub.requests.length, 4);
  });

  it('does not count refusals (4xx) as the authority being down', async () => {
    stub.reply = () => ({ status: 401 });
    const subject = authority({ breaker: { failureThreshold: 2, resetAfterMs: 60_000 } });
    for (let i = 0; i < 5; i++) await subject.verify(claim);
    assert.equal(stub.requests.length, 5);
  });

  describe('guardian relationship query', () => {
    it('POSTs only the two documents to the guardianship endpoint, with the bearer token, and maps the answers', async () => {
      stub.reply = () => answer('confirmed');
      assert.deepEqual(await authority().confirmGuardian(pair), { outcome: 'confirmed' });
      stub.reply = () => answer('not_confirmed');
      assert.deepEqual(await authority().confirmGuardian(pair), { outcome: 'not_confirmed' });
      assert.equal(stub.requests.length, 2, 'a definite answer is not retried');
      const [request] = stub.requests;
      assert.equal(request!.method, 'POST');
      assert.equal(request!.url, '/v1/guardianship', 'a sibling of the verification endpoint; nothing personal in the URL');
      assert.equal(request!.headers.authorization, 'Bearer sandbox-token');
      assert.match(request!.headers['content-type']!, /^application\/json/);
      assert.deepEqual(JSON.parse(request!.body), {
        guardian: { document_type: 'resident_id', document_number: '110101199005170112' },
        ward: { document_type: 'resident_id', document_number: '510104201602290124' },
      }, 'no name or birth date: both people are verified already');
    });

    it('resolves the endpoint against IDENTITY_AUTHORITY_URL', () => {
      assert.equal(guardianshipUrl('https://authority.example.cn/v1/verify'), 'https://authority.example.cn/v1/guardianship');
      assert.equal(guardianshipUrl('https://authority.example.cn/verify'), 'https://authority.example.cn/guardianship');
      assert.equal(guardianshipUrl('https://authority.example.cn/api/v2/'), 'https://authority.example.cn/api/v2/guardianship');
    });

    const unusable: Array<[string, Reply, number]> = [
      ['a verification answer (the wrong vocabulary)', answer('verified'), 1],
      ['a 200 that is not JSON', { status: 200, body: '<html>' }, 1],
      ['401 (wrong token)', { status: 401 }, 1],
      ['429 (back off)', { status: 429 }, 1],
      ['503, retried up to the bound', { status: 503 }, 3],
    ];
    for (const [what, reply, attempts] of unusable) {
      it(`answers unavailable to ${what}`, async () => {
        stub.reply = () => reply;
        assert.deepEqual(await authority().confirmGuardian(pair), { outcome: 'unavailable' });
        assert.equal(stub.requests.length, attempts);
      });
    }

    it('retries a timeout up to the bound, then answers unavailable', async () => {
      stub.reply = () => ({ ...answer('confirmed'), delayMs: 1000 });
      assert.deepEqual(await authority({ timeoutMs: 100, retries: 1 }).confirmGuardian(pair), { outcome: 'unavailable' });
      assert.equal(stub.requests.length, 2);
    });

    it('shares the breaker with verification: while the authority is down, neither call reaches it', async () => {
      stub.reply = () => ({ status: 500 });
      const subject = authority({ retries: 0, breaker: { failureThreshold: 2, resetAfterMs: 60_000 } });
      await subject.verify(claim);
      await subject.confirmGuardian(pair);
      assert.equal(stub.requests.length, 2);
      stub.reply = () => answer('confirmed');
      assert.deepEqual(await subject.confirmGuardian(pair), { outcome: 'unavailable' });
      assert.deepEqual(await subject.verify(claim), { outcome: 'unavailable' });
      assert.equal(stub.requests.length, 2, 'nothing reached the stub while the breaker was open');
    });
  });

  it('is what the container uses when IDENTITY_AUTHORITY_URL is set', async () => {
    const app = await startTestApp({ env: { IDENTITY_AUTHORITY_URL: stub.url, IDENTITY_AUTHORITY_TOKEN: 'configured-token' } });
    try {
      stub.reply = () => answer('not_verified');
      assert.deepEqual(await app.container.identityAuthority.verify(claim), { outcome: 'not_verified' });
      stub.reply = () => answer('not_confirmed');
      assert.deepEqual(await app.container.identityAuthority.confirmGuardian(pair), { outcome: 'not_confirmed' });
      assert.deepEqual(stub.requests.map((r) => r.url), ['/v1/verify', '/v1/guardianship']);
      assert.ok(stub.requests.every((r) => r.headers.authorization === 'Bearer configured-token'));
    } finally {
      await app.stop();
    }
  });
});
