// The circuit breaker's rule, on a fake clock: open after N consecutive failures, fail fast
// while open, one trial call when the reset period has passed, closed again on its success.
import assert from 'node:assert/strict';
import { createCircuitBreaker, CircuitOpenError } from '../../src/identity-authority/circuit-breaker.js';

function setup(failureThreshold = 3, resetAfterMs = 1000) {
  let time = 0;
  const changes: string[] = [];
  const breaker = createCircuitBreaker({ failureThreshold, resetAfterMs, now: () => time, onStateChange: (s) => changes.push(s) });
  let calls = 0;
  const fail = () => breaker.run(async () => { calls++; throw new Error('down'); });
  const succeed = () => breaker.run(async () => { calls++; return 'ok'; });
  return { breaker, changes, fail, succeed, calls: () => calls, advance: (ms: number) => (time += ms) };
}

describe('circuit breaker', () => {
  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const b = setup(3);
    for (let i = 0; i < 3; i++) await assert.rejects(b.fail(), /down/);
    assert.equal(b.breaker.state(), 'open');
    await assert.rejects(b.succeed(), CircuitOpenError);
    assert.equal(b.calls(), 3);
    assert.deepEqual(b.changes, ['open']);
  });

  it('counts only consecutive failures: a success starts the count again', async () => {
    const b = setup(3);
    await assert.rejects(b.fail());
    await assert.rejects(b.fail());
    assert.equal(await b.succeed(), 'ok');
    await assert.rejects(b.fail());
    await assert.rejects(b.fail());
    assert.equal(b.breaker.state(), 'closed');
  });

  it('lets one trial through after the reset period and closes on its success', async () => {
    const b = setup(1, 1000);
    await assert.rejects(b.fail());
    b.advance(999);
    await assert.rejects(b.succeed(), CircuitOpenError);
    b.advance(1);
    assert.equal(b.breaker.state(), 'half_open');
    let release!: () => void;
    const trial = b.breaker.run(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await assert.rejects(b.succeed(), CircuitOpenError, 'a second call waits for the trial');
    release();
    assert.equal(await trial, 'ok');
    assert.equal(b.breaker.state(), 'closed');
    assert.equal(await b.succeed(), 'ok');
    assert.deepEqual(b.changes, ['open', 'closed']);
  });

  it('opens for a full period again when the trial fails', async () => {
    const b = setup(2, 1000);
    await assert.rejects(b.fail());
    await assert.rejects(b.fail());
    b.advance(1000);
    await assert.rejects(b.fail(), /down/);
    assert.equal(b.breaker.state(), 'open');
    b.advance(999);
    await assert.rejects(b.succeed(), CircuitOpenError);
    b.advance(1);
    assert.equal(await b.succeed(), 'ok');
    assert.deepEqual(b.changes, ['open', 'open', 'closed']);
  });
});
