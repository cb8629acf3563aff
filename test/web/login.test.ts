// The sign-in page: CSRF-protected; one message for "no such account" and "wrong password";
// forgiving entry of the cyberspace ID; a mistyped ID is refused by its check character before
// any lookup or rate count; throttling; account states revealed only to the password holder.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signIn } from '../support/flow.js';
import { DEVICE_COOKIE } from '../../src/web/device-cookie.js';
import { CYBERSPACE_ID_ALPHABET, formatForReading, generateCyberspaceId, parseCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { alertText, CONSENT_FORM, expectPage, LOGIN_FORM, mainText, openLogin, submitLogin, type TestClient } from './web-support.js';

const EN = { params: { ui_locales: 'en' } };

/** The same ID with one symbol replaced, so that the check character no longer matches. */
function mistype(id: string, position = 7): string {
  const original = id[position]!;
  const replacement = CYBERSPACE_ID_ALPHABET[(CYBERSPACE_ID_ALPHABET.indexOf(original) + 5) % 32]!;
  const typo = id.slice(0, position) + replacement + id.slice(position + 1);
  assert.deepEqual(parseCyberspaceId(typo), { ok: false, reason: 'check' });
  return typo;
}

const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** The page's <main>, with what legitimately differs between two attempts taken out. */
function comparableMain(page: Page, typedId: string): string {
  return page.document.querySelector('main')!.innerHTML
    .replaceAll(typedId, '«typed id»')
    .replace(/\/interaction\/[^/"]+/g, '/interaction/«uid»')
    // Each showing carries a fresh random passkey challenge, the same for any account.
    .replace(/&#34;challenge&#34;:&#34;[\w-]+&#34;/g, '«passkey challenge»');
}

describe('the sign-in page', () => {
  let app: TestApp;
  let client: TestClient;
  let citizenQueries = 0;
  let counterIncrements = 0;
  const countCitizenQueries = (query: { sql: string }) => {
    if (/\bcitizens\b/.test(query.sql)) citizenQueries += 1;
  };

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Sign-in ISP' });
    app.container.db.knex.on('query', countCitizenQueries);
    // The sign-in limits count failures through the ephemeral store; watch it.
    const { ephemeral } = app.container;
    const increment = ephemeral.increment.bind(ephemeral);
    ephemeral.increment = (key, windowSeconds) => {
      if (key.startsWith('signin:')) counterIncrements += 1;
      return increment(key, windowSeconds);
    };
  });
  after(async () => {
    app.container.db.knex.removeListener('query', countCitizenQueries);
    await app.stop();
  });

  const stillAtLogin = async (browser: Browser, page: Page) => {
    const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1];
    const again = expectPage(await browser.navigate(`/interaction/${uid}`), 'the interaction page');
    assert.ok(again.document.querySelector(LOGIN_FORM), `still the sign-in form, not signed in: ${mainText(again)}`);
  };

  describe('CSRF protection', () => {
    const post = (browser: Browser, page: Page, body: Record<string, string>) =>
      browser.navigate(new URL(page.document.querySelector(LOGIN_FORM)!.getAttribute('action')!, page.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });

    it('refuses a sign-in without _csrf with a 403 page and does not sign in', async () => {
      const citizen = await createCitizen(app.container);
      // The interaction (and its ui_locales) is not loaded for a refused post: the browser's language applies.
      const opened = await openLogin(app.url, client, { headers: { 'accept-language': 'en' } });
      citizenQueries = 0;
      const refused = expectPage(await post(opened.browser, opened.page, { cyberspace_id: citizen.cyberspace_id, password: citizen.password }), 'an error page');
      assert.equal(refused.status, 403);
      assert.equal(mainText(refused).includes(en['error.csrf']), true, mainText(refused));
      assert.equal(citizenQueries, 0, 'the credentials were never looked at');
      await stillAtLogin(opened.browser, opened.page);
    });

    it('refuses a sign-in with a wrong _csrf (another browser’s token) and does not sign in', async () => {
      const citizen = await createCitizen(app.container);
      const attacker = await openLogin(app.url, client, EN);
      const attackerToken = attacker.page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      const victim = await openLogin(app.url, client, EN);
      const ownToken = victim.page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      assert.notEqual(attackerToken, ownToken);
      const tampered = `${ownToken.slice(0, -1)}${ownToken.endsWith('A') ? 'B' : 'A'}`; // always differs
      for (const token of [attackerToken, tampered, '', 'x'.repeat(2000)]) {
        const refused = expectPage(await post(victim.browser, victim.page, { _csrf: token, cyberspace_id: citizen.cyberspace_id, password: citizen.password }), 'an error page');
        assert.equal(refused.status, 403, `token ${token.slice(0, 20)}`);
      }
      await stillAtLogin(victim.browser, victim.page);
    });

    it('refuses a sign-in from a browser without the CSRF cookie', async () => {
      const citizen = await createCitizen(app.container);
      const opened = await openLogin(app.url, client, EN);
      const token = opened.page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      opened.browser.cookies.delete('cid_csrf');
      const refused = expectPage(await post(opened.browser, opened.page, { _csrf: token, cyberspace_id: citizen.cyberspace_id, password: citizen.password }), 'an error page');
      assert.equal(refused.status, 403);
    });

    it('the CSRF cookie is HttpOnly and SameSite', async () => {
      const opened = await openLogin(app.url, client);
      assert.ok(opened.browser.cookies.get('cid_csrf'));
      const again = await fetch(opened.page.url, { redirect: 'manual' });
      const cookie = again.headers.getSetCookie().find((c) => c.startsWith('cid_csrf='));
      assert.ok(cookie, 'a browser without the cookie gets one');
      assert.match(cookie, /;\s*httponly/i);
      assert.match(cookie, /;\s*samesite=lax/i);
    });
  });

  describe('one answer whether or not the account exists', () => {
    it('an unknown cyberspace ID gets exactly the page a wrong password gets', async () => {
      const citizen = await createCitizen(app.container);
      const unknownId = generateCyberspaceId();
      for (const options of [EN, { params: { ui_locales: 'zh-CN' } }]) {
        const browser = new Browser(app.url);
        const wrongPassword = expectPage(await submitLogin(await openLogin(app.url, client, { ...options, browser }), citizen.cyberspace_id, 'not-the-password'), 'the sign-in page');
        const unknown = expectPage(await submitLogin(await openLogin(app.url, client, { ...options, browser }), unknownId, 'not-the-password'), 'the sign-in page');
        assert.equal(unknown.status, wrongPassword.status);
        assert.equal(unknown.status, 400);
        assert.equal(alertText(unknown), alertText(wrongPassword));
        assert.equal(comparableMain(unknown, unknownId), comparableMain(wrongPassword, citizen.cyberspace_id));
      }
      const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), unknownId, 'x'), 'the sign-in page');
      assert.equal(alertText(page), en['login.error.invalid_credentials']);
    });

    it('an unknown cyberspace ID costs one password verification, like a wrong password (no timing difference by design)', async () => {
      const citizen = await createCitizen(app.container);
      const { hasher } = app.container;
      const original = { verify: hasher.verify, verifyNothing: hasher.verifyNothing };
      const calls: string[] = [];
      hasher.verify = (hash, password) => (calls.push('verify'), original.verify(hash, password));
      hasher.verifyNothing = (password) => (calls.push('verifyNothing'), original.verifyNothing(password));
      try {
        await submitLogin(await openLogin(app.url, client, EN), citizen.cyberspace_id, 'wrong password');
        assert.deepEqual(calls.splice(0), ['verify']);
        await submitLogin(await openLogin(app.url, client, EN), generateCyberspaceId(), 'wrong password');
        assert.deepEqual(calls.splice(0), ['verifyNothing'], 'an argon2 verification against a dummy hash');
      } finally {
        Object.assign(hasher, original);
      }
    });

    it('a cancelled account also gets that answer, even with the right password', async () => {
      const citizen = await createCitizen(app.container);
      const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
      await app.container.citizenQueries.setCitizenStatus(row.id, 'cancelled');
      const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), citizen.cyberspace_id, citizen.password), 'the sign-in page');
      assert.equal(page.status, 400);
      assert.equal(alertText(page), en['login.error.invalid_credentials']);
    });

    it('never echoes the password back into the page', async () => {
      const citizen = await createCitizen(app.container);
      const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), citizen.cyberspace_id, 'S3cret-guess'), 'the sign-in page');
      assert.equal(page.html.includes('S3cret-guess'), false);
      assert.equal(page.document.querySelector('#password')!.getAttribute('value'), undefined);
      assert.equal(page.document.querySelector('#cyberspace_id')!.getAttribute('value'), citizen.cyberspace_id, 'the ID is kept so it can be corrected');
    });
  });

  describe('forgiving entry of the cyberspace ID', () => {
    let citizen: { cyberspace_id: string; password: string };
    before(async () => {
      // An ID with a 0 or 1, so the look-alike letters O, I and L can be tried too.
      do citizen = await createCitizen(app.container);
      while (!/[01]/.test(citizen.cyberspace_id));
    });

    const variants: Array<[string, (id: string) => string]> = [
      ['lower case', (id) => id.toLowerCase()],
      ['hyphens (the printed form)', (id) => formatForReading(id)],
      ['spaces', (id) => formatForReading(id).replaceAll('-', ' ')],
      ['lower case, spaces and surrounding blanks', (id) => `  ${formatForReading(id).replaceAll('-', ' ').toLowerCase()}\t`],
      ['full-width characters', (id) => fullWidth(formatForReading(id))],
      ['full-width with ideographic spaces', (id) => fullWidth(id.slice(0, 12)) + '\u3000' + fullWidth(id.slice(12).toLowerCase())],
      ['look-alike letters O, I and L', (id) => id.replaceAll('0', 'O').replace(/1/, 'I').replaceAll('1', 'l')],
    ];
    for (const [name, variant] of variants) {
      it(`signs in with ${name}`, async () => {
        const typed = variant(citizen.cyberspace_id);
        assert.notEqual(typed, citizen.cyberspace_id);
        const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), typed, citizen.password), 'the consent page');
        assert.ok(page.document.querySelector(CONSENT_FORM), `signed in with ${JSON.stringify(typed)}: ${mainText(page)}`);
      });
    }
  });

  describe('a mistyped cyberspace ID', () => {
    it('gets the check-character message with no database lookup and no rate count', async () => {
      const citizen = await createCitizen(app.container);
      const typos = [
        mistype(citizen.cyberspace_id),
        mistype(citizen.cyberspace_id, 23),
        formatForReading(mistype(citizen.cyberspace_id, 0)).toLowerCase(),
      ];
      for (const typo of typos) {
        const opened = await openLogin(app.url, client, EN);
        citizenQueries = 0;
        counterIncrements = 0;
        const page = expectPage(await submitLogin(opened, typo, citizen.password), 'the sign-in page');
        assert.equal(page.status, 400);
        assert.equal(alertText(page), en['login.error.malformed_id']);
        assert.equal(citizenQueries, 0, `no citizen lookup for ${typo}`);
        assert.equal(counterIncrements, 0, `no rate count for ${typo}`);
        assert.equal(page.document.querySelector('#cyberspace_id')!.getAttribute('value'), typo, 'the typo is shown for correction');
        assert.equal(page.document.querySelector('#cyberspace_id')!.getAttribute('aria-invalid'), 'true');
      }
      // The instruments do see a well-formed attempt.
      citizenQueries = 0;
      counterIncrements = 0;
      await submitLogin(await openLogin(app.url, client, EN), citizen.cyberspace_id, 'wrong password');
      assert.ok(citizenQueries > 0, 'a well-formed ID is looked up');
      assert.equal(counterIncrements, 2, 'and counted, per address and per account');
    });

    it('the check catches an adjacent transposition too, in Chinese as well', async () => {
      const id = generateCyberspaceId();
      const i = [...id].findIndex((c, k) => k < 22 && c !== id[k + 1]);
      const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
      citizenQueries = 0;
      const page = expectPage(await submitLogin(await openLogin(app.url, client, { params: { ui_locales: 'zh-CN' } }), swapped, 'whatever'), 'the sign-in page');
      assert.equal(alertText(page), zhCN['login.error.malformed_id']);
      assert.equal(citizenQueries, 0);
    });

    it('a wrong length or stray characters get the same message without lookup; markup is escaped', async () => {
      for (const typed of ['ABC', `${generateCyberspaceId()}7`, '"><script>alert(1)</script>']) {
        citizenQueries = 0;
        const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), typed, 'whatever'), 'the sign-in page');
        assert.equal(alertText(page), en['login.error.malformed_id']);
        assert.equal(citizenQueries, 0);
        assert.equal(page.html.includes('<script>'), false);
      }
    });

    it('mistyped attempts do not use up the real ID’s attempts', async () => {
      const citizen = await createCitizen(app.container);
      const opened = await openLogin(app.url, client, EN);
      let page = opened.page;
      for (let i = 0; i <= app.container.config.rateLimit.loginAttemptsPerWindow; i += 1) {
        page = expectPage(await submitLogin({ browser: opened.browser, page }, mistype(citizen.cyberspace_id, i), citizen.password), 'the sign-in page');
        assert.equal(alertText(page), en['login.error.malformed_id']);
      }
      const signedIn = expectPage(await submitLogin({ browser: opened.browser, page }, citizen.cyberspace_id, citizen.password), 'the consent page');
      assert.ok(signedIn.document.querySelector(CONSENT_FORM), mainText(signedIn));
    });
  });

  it('offers the way to apply for an ID and to recover a password, and both pages exist', async () => {
    const { browser, page } = await openLogin(app.url, client, EN);
    for (const [href, key] of [['/apply', 'login.apply'], ['/recover', 'login.forgot']] as const) {
      const link = page.document.querySelector(`main a[href="${href}"]`);
      assert.equal(link?.text.trim(), en[key]);
      const target = expectPage(await browser.navigate(href), href);
      assert.equal(target.status, 200, `${href}: ${mainText(target)}`);
    }
  });

  it('asks for both fields when one is empty, without a lookup', async () => {
    const citizen = await createCitizen(app.container);
    for (const [id, password] of [['', citizen.password], [citizen.cyberspace_id, ''], ['   ', '']]) {
      citizenQueries = 0;
      const page = expectPage(await submitLogin(await openLogin(app.url, client, EN), id!, password!), 'the sign-in page');
      assert.equal(page.status, 400);
      assert.equal(alertText(page), en['login.error.missing']);
      assert.equal(citizenQueries, 0);
    }
  });

  describe('rate limiting', () => {
    it('after a stranger\'s failures an unknown browser waits briefly (429); the owner\'s device does not', async () => {
      const citizen = await createCitizen(app.container);
      const { free, maxSeconds } = app.container.config.signInLimits.perAccount;
      // The owner's own browser, known from an earlier sign-in (its device cookie only).
      const earlier = await signIn(app.url, client, citizen);
      const home = new Browser(app.url);
      home.cookies.set(DEVICE_COOKIE, earlier.browser.cookies.get(DEVICE_COOKIE)!);
      const opened = await openLogin(app.url, client, EN);
      let page = opened.page;
      for (let i = 0; i <= free; i += 1) {
        page = expectPage(await submitLogin({ browser: opened.browser, page }, citizen.cyberspace_id, `wrong-${i}`), 'the sign-in page');
        assert.equal(alertText(page), en['login.error.invalid_credentials'], `attempt ${i + 1}`);
      }
      // Anyone else, even with the right password, waits out a short back-off (never a lock).
      page = expectPage(await submitLogin(await openLogin(app.url, client, EN), formatForReading(citizen.cyberspace_id), citizen.password), 'the sign-in page');
      assert.equal(page.status, 429);
      assert.equal(alertText(page), en['login.error.throttled']);
      await stillAtLogin(opened.browser, page);
      // The owner's known device passes the per-account back-off.
      const owner = await submitLogin(await openLogin(app.url, client, { ...EN, browser: home }), citizen.cyberspace_id, citizen.password);
      assert.ok(!isPage(owner) && owner.redirectedTo.searchParams.get('code'), 'the owner is back at the ISP with a code');
      assert.ok(maxSeconds <= 60, 'the per-account delay stays short');
    });

    it('an unknown ID is throttled the same way, so throttling reveals nothing', async () => {
      const unknownId = generateCyberspaceId();
      const limit = app.container.config.signInLimits.perAccount.free;
      const opened = await openLogin(app.url, client, EN);
      let page = opened.page;
      for (let i = 0; i <= limit + 1; i += 1) page = expectPage(await submitLogin({ browser: opened.browser, page }, unknownId, `wrong-${i}`), 'the sign-in page');
      assert.equal(page.status, 429);
      assert.equal(alertText(page), en['login.error.throttled']);
    });

    it('a successful sign-in clears the count', async () => {
      const citizen = await createCitizen(app.container);
      const limit = app.container.config.signInLimits.perAccount.free;
      const first = await openLogin(app.url, client, EN);
      let page = first.page;
      for (let i = 0; i < limit - 1; i += 1) page = expectPage(await submitLogin({ browser: first.browser, page }, citizen.cyberspace_id, 'wrong'), 'the sign-in page');
      page = expectPage(await submitLogin({ browser: first.browser, page }, citizen.cyberspace_id, citizen.password), 'the consent page');
      assert.ok(page.document.querySelector(CONSENT_FORM));
      const second = await openLogin(app.url, client, EN);
      page = second.page;
      for (let i = 0; i < limit - 1; i += 1) page = expectPage(await submitLogin({ browser: second.browser, page }, citizen.cyberspace_id, 'wrong'), 'the sign-in page');
      assert.equal(alertText(page), en['login.error.invalid_credentials']);
    });
  });

  describe('a suspended account', () => {
    it('is told it is suspended only when the right password is given', async () => {
      const citizen = await createCitizen(app.container);
      const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
      await app.container.citizenQueries.setCitizenStatus(row.id, 'suspended', { by: 'operator', reason: null });

      const wrong = expectPage(await submitLogin(await openLogin(app.url, client, EN), citizen.cyberspace_id, 'wrong password'), 'the sign-in page');
      assert.equal(wrong.status, 400);
      assert.equal(alertText(wrong), en['login.error.invalid_credentials'], 'a wrong password learns nothing about the account');

      const opened = await openLogin(app.url, client, EN);
      const right = expectPage(await submitLogin(opened, citizen.cyberspace_id, citizen.password), 'the sign-in page');
      assert.equal(alertText(right), en['login.error.suspended']);
      assert.equal(right.document.querySelector(CONSENT_FORM), null);
      await stillAtLogin(opened.browser, right);
    });
  });
});
