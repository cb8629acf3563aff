// A login flood is shed (issue 7): the password hasher's queue is bounded, and beyond it a
// sign-in gets a clear 503 page in the citizen's language with Retry-After at once, instead of
// waiting behind the attacker's requests. Latency of the other endpoints meanwhile is measured
// by bench/login-flood.ts (a ratio, never a timed assertion here).
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { isPage } from '../support/browser.js';
import { createPasswordHasher } from '../../src/services/password-hasher.js';
import { HasherBusyError } from '../../src/errors.js';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { generateCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { openLogin, submitLogin, type TestClient } from './web-support.js';

describe('shedding a login flood', () => {
  it('the hasher refuses at once beyond its queue, and serves again when it drains', async () => {
    const hasher = createPasswordHasher({ ...defaults.passwordHashing, maxConcurrent: 1, maxQueued: 1 });
    const hash = await hasher.hash('correct horse battery');
    const first = hasher.verify(hash, 'correct horse battery');
    const second = hasher.verify(hash, 'wrong');
    await assert.rejects(hasher.verify(hash, 'third'), HasherBusyError);
    await assert.rejects(hasher.verifyNothing('fourth'), HasherBusyError);
    assert.deepEqual(await Promise.all([first, second]), [true, false]);
    assert.equal(await hasher.verify(hash, 'correct horse battery'), true, 'served again once drained');
  });

  describe('at the sign-in page', () => {
    let app: TestApp;
    let client: TestClient;
    before(async () => {
      app = await startTestApp({ env: { PASSWORD_HASH_QUEUE: '0' } });
      client = await createClient(app.container, { name: 'Flooded ISP' });
    });
    after(async () => app.stop());

    it('answers 503 with Retry-After and a clear page in both languages beyond the queue', async () => {
      const citizen = await createCitizen(app.container);
      const { maxConcurrent } = app.container.config.passwordHashing;
      const attempts = maxConcurrent * 4;
      const opened = await Promise.all(Array.from({ length: attempts }, (_, i) => openLogin(app.url, client, { params: { ui_locales: i % 2 ? 'en' : 'zh-CN' } })));
      // Unknown IDs (each one its own per-account counter): every attempt costs a hash.
      const results = await Promise.all(opened.map(async (o) => ({ result: await submitLogin(o, generateCyberspaceId(), 'not a password anyone has, hashed all the same') })));
      const shed = results.filter(({ result }) => isPage(result) && result.status === 503);
      assert.ok(shed.length > 0, `some of ${attempts} simultaneous sign-ins are shed`);
      assert.ok(shed.length < attempts, 'the hasher still serves up to its bound');
      const languages = new Set<string>();
      for (const { result } of shed) {
        assert.ok(isPage(result));
        assert.equal(result.headers.get('retry-after'), '5');
        const text = result.document.querySelector('main')!.text;
        if (text.includes(en['error.busy'])) languages.add('en');
        if (text.includes(zhCN['error.busy'])) languages.add('zh-CN');
      }
      assert.ok(languages.size >= 1, 'the busy message is shown');
      // Then, with the flood over, the citizen signs in normally.
      const again = await openLogin(app.url, client);
      const page = await submitLogin(again, citizen.cyberspace_id, citizen.password);
      assert.ok(isPage(page) && page.document.querySelector('form[action$="/confirm"]'), 'served again once the flood is over');
    });
  });
});
