// Minimum disclosure: the claims catalogue, the ISP's scope allow-list, optional consent items,
// and plaintext identity only on its own, never-remembered screen for ISPs with a legal basis.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeUrl, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem, refresh, userinfo, type TestClient } from '../support/tokens.js';
import { applyInBrowser, issuedId, seedSandbox } from '../support/citizen-pages.js';
import { ValidationError } from '../../src/errors.js';

const LEGAL_BASIS = 'Anti-Money Laundering Law of the PRC, Art. 28';

/** Runs authorize → login (if asked) → consent with `ticked` optional scopes → identity decision. */
async function authorize(
  app: TestApp,
  client: TestClient,
  citizen: Credentials,
  options: { scope: string; ticked?: string[]; identity?: 'release' | 'withhold'; browser?: Browser; prompt?: string },
) {
  const browser = options.browser ?? new Browser(app.url, { 'accept-language': 'en' });
  const flow = authorizeUrl(app.url, client, { scope: options.scope, ...(options.prompt ? { prompt: options.prompt } : {}) });
  const pages: Page[] = [];
  let result = await browser.navigate(flow.url.href);
  for (let step = 0; step < 5 && isPage(result); step += 1) {
    const page = result;
    pages.push(page);
    if (page.document.querySelector('form[action$="/login"]')) {
      result = await browser.submit(page, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    } else if (page.document.querySelector('form[action$="/confirm"]')) {
      const fields: Record<string, string[]> = options.ticked ? { scope: options.ticked } : {};
      result = await browser.submit(page, 'form[action$="/confirm"]', fields, { name: 'decision', value: 'allow' });
    } else if (page.document.querySelector('form[action*="/identity"]')) {
      result = await browser.submit(page, 'form[action*="/identity"]', {}, { name: 'decision', value: options.identity ?? 'release' });
    } else {
      assert.fail(`unexpected page ${page.status}: ${page.document.querySelector('main')?.text.trim().slice(0, 300)}`);
    }
  }
  assert.ok(!isPage(result), 'ends with a redirect to the ISP');
  const code = result.redirectedTo.searchParams.get('code');
  return { pages, callback: result.redirectedTo, browser, tokens: code ? await redeem(app.url, client, { code, verifier: flow.verifier }) : undefined };
}

const titles = (pages: Page[]) => pages.map((p) => p.document.querySelector('h1')?.text.trim() ?? '');

describe('claims and consent', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('publishes the catalogue in discovery and nothing that names the person by default', async () => {
    const { body } = await request(app.url).get('/.well-known/openid-configuration').expect(200);
    for (const scope of ['openid', 'age', 'verified', 'identity']) assert.ok(body.scopes_supported.includes(scope), scope);
    for (const claim of ['age_over_14', 'age_over_16', 'age_over_18', 'real_name_verified', 'identity_assurance_level']) {
      assert.ok(body.claims_supported.includes(claim), claim);
    }
    for (const never of ['birthdate', 'email', 'phone_number', 'given_name', 'family_name']) assert.ok(!body.claims_supported.includes(never), never);
  });

  it('refuses a scope outside the ISP\'s allow-list with invalid_scope, before any page', async () => {
    const client = await createClient(app.container, { scope: 'openid' });
    const browser = new Browser(app.url);
    const result = await browser.navigate(authorizeUrl(app.url, client, { scope: 'openid age' }).url.href);
    assert.ok(!isPage(result), 'redirected straight back to the ISP');
    assert.equal(result.redirectedTo.searchParams.get('error'), 'invalid_scope');
    assert.equal(browser.cookies.has('_interaction'), false, 'no interaction was started');
  });

  it('computes age_over_* booleans from the encrypted birth date, never the date', async () => {
    const client = await createClient(app.container, { scope: 'openid age' });
    const teenager = await app.container.citizens.createTestCitizen({ birthDate: '2011-11-01' });
    const adult = await app.container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
    const teen = idTokenClaims((await authorize(app, client, teenager, { scope: 'openid age' })).tokens!);
    assert.deepEqual([teen.age_over_14, teen.age_over_16, teen.age_over_18], [true, false, false]);
    const grown = idTokenClaims((await authorize(app, client, adult, { scope: 'openid age' })).tokens!);
    assert.deepEqual([grown.age_over_14, grown.age_over_16, grown.age_over_18], [true, true, true]);
    for (const claims of [teen, grown]) {
      assert.equal(claims.birthdate, undefined);
      assert.ok(!JSON.stringify(claims).includes('2011') && !JSON.stringify(claims).includes('1990-05'));
    }
  });

  it('an unticked optional item is withheld, remembered, and a new scope asks again', async () => {
    const client = await createClient(app.container, { scope: 'openid age verified offline_access' });
    const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
    const first = await authorize(app, client, citizen, { scope: 'openid age verified', ticked: ['verified'] });
    const claims = idTokenClaims(first.tokens!);
    assert.equal(claims.real_name_verified, false, 'a test citizen is not document-verified');
    assert.equal(claims.identity_assurance_level, 'test');
    assert.equal(claims.age_over_18, undefined, 'age was unticked');
    assert.deepEqual((await userinfo(app.url, first.tokens!.access_token)).body.age_over_18, undefined);

    const again = await authorize(app, client, citizen, { scope: 'openid age verified', browser: first.browser });
    assert.equal(again.pages.length, 0, 'the same scope set is not asked again');
    assert.equal(idTokenClaims(again.tokens!).age_over_18, undefined, 'and the refusal still holds');

    const more = await authorize(app, client, citizen, { scope: 'openid verified offline_access', prompt: 'consent', browser: first.browser });
    assert.equal(more.pages.length, 1, 'a new scope brings the consent page back');
  });

  describe('plaintext identity', () => {
    const person = { documentType: 'resident_id' as const, documentNumber: '110101199005170112', name: '张伟', birthDate: '1990-05-17', password: 'a long memorable phrase' };
    let citizen: Credentials;
    let lawful: TestClient & { client_secret?: string };

    before(async () => {
      await seedSandbox(app.container, person);
      const done = await applyInBrowser(new Browser(app.url), person);
      citizen = { cyberspace_id: issuedId(done), password: person.password };
      lawful = await createClient(app.container, {
        name: 'Bank ISP',
        scope: 'openid verified identity offline_access',
        legalBasis: LEGAL_BASIS,
        purposes: { identity: { en: 'Customer due diligence', 'zh-CN': '客户身份识别' } },
        redirectUris: ['https://bank.example/cb'],
      });
    });

    it('cannot be allowed without a legal basis, by the operator or by dynamic registration', async () => {
      await assert.rejects(createClient(app.container, { scope: 'openid identity' }), ValidationError);
      const token = await new (app.container.providerHolder.current().InitialAccessToken)({}).save();
      for (const metadata of [
        { redirect_uris: ['https://dcr.example/cb'], scope: 'openid identity' },
        { redirect_uris: ['https://dcr.example/cb'], scope: 'openid identity', cyberid_legal_basis: 'self-declared' },
      ]) {
        const response = await request(app.url).post('/reg').set('authorization', `Bearer ${token}`).send(metadata);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.equal(response.body.error, 'invalid_client_metadata');
      }
    });

    it('is asked for on its own screen, after the other consent, showing exactly what goes to whom and why', async () => {
      const result = await authorize(app, lawful, citizen, { scope: 'openid verified identity' });
      assert.deepEqual(titles(result.pages).slice(1), ['Share with Bank ISP?', 'Release your identity to Bank ISP?']);
      const release = result.pages[2]!;
      assert.equal(release.document.querySelector('#release-name')?.text.trim(), '张伟');
      assert.equal(release.document.querySelector('#release-document-number')?.text.trim(), '110101199005170112');
      assert.match(release.html, /Anti-Money Laundering Law/);
      assert.match(release.html, /Customer due diligence/);
      const consentPage = result.pages[1]!;
      assert.ok(!consentPage.html.includes('张伟') && !consentPage.html.includes('110101199005170112'), 'not bundled into the first screen');
      const claims = idTokenClaims(result.tokens!);
      assert.equal(claims.name, '张伟');
      assert.equal(claims.document_type, 'resident_id');
      assert.equal(claims.document_number, '110101199005170112');
      assert.equal(claims.real_name_verified, false, 'document facts alone are low identity assurance (docs/assurance.md)');
      assert.equal(claims.identity_assurance_level, 'low');
    });

    it('is never remembered: the next sign-in asks again, and refreshes and userinfo do not carry it', async () => {
      const browser = new Browser(app.url, { 'accept-language': 'en' });
      const first = await authorize(app, lawful, citizen, { scope: 'openid verified identity offline_access', prompt: 'consent', browser });
      assert.equal(idTokenClaims(first.tokens!).name, '张伟');
      assert.equal((await userinfo(app.url, first.tokens!.access_token)).body.name, undefined, 'userinfo does not repeat the release');
      const refreshed = await refresh(app.url, lawful, first.tokens!.refresh_token!);
      assert.equal(refreshed.status, 200);
      assert.equal(idTokenClaims({ id_token: String(refreshed.body.id_token) }).name, undefined, 'a refresh does not repeat it');

      const second = await authorize(app, lawful, citizen, { scope: 'openid verified identity', browser, identity: 'withhold' });
      assert.deepEqual(titles(second.pages), ['Release your identity to Bank ISP?'], 'only the identity screen comes back');
      assert.ok(second.tokens, 'withholding still signs the citizen in');
      assert.equal(idTokenClaims(second.tokens!).name, undefined);
      assert.equal(idTokenClaims(second.tokens!).identity_assurance_level, 'low', 'the verification result still comes');

      const third = await authorize(app, lawful, citizen, { scope: 'openid verified identity', browser });
      assert.deepEqual(titles(third.pages), ['Release your identity to Bank ISP?'], 'a refusal is not remembered either');
    });
  });
});

describe('the documents discovery points to', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('serves service_documentation and op_policy_uri', async () => {
    const { body } = await request(app.url).get('/.well-known/openid-configuration').expect(200);
    for (const url of [body.service_documentation, body.op_policy_uri]) {
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await response.text(), /<h1 id=/);
    }
    assert.equal((await fetch(`${app.url}/docs/../package.json`)).status, 404);
  });
});
