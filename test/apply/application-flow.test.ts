// Applying for a cyberspace ID through the HTML forms.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox, signInToAccount, fieldErrors, type Applicant } from '../support/citizen-pages.js';
import { generateCyberspaceId, isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';

function residentId(region: string, birth: string, serial: string) {
  const first17 = `${region}${birth.replaceAll('-', '')}${serial}`;
  return first17 + residentIdCheckCharacter(first17);
}

describe('applying for a cyberspace ID', () => {
  let app: TestApp;
  const adult: Applicant = { documentType: 'resident_id', documentNumber: residentId('110105', '1980-04-02', '123'), name: '申请人甲', birthDate: '1980-04-02', password: 'a long memorable phrase' };
  const count = async () => Number((await app.container.db.knex('citizens').count<{ c: string }[]>('* as c'))[0]!.c);

  before(async () => {
    app = await startTestApp();
    await seedSandbox(app.container, adult);
  });
  after(async () => app.stop());

  it('requires accepting the privacy notice first', async () => {
    const browser = new Browser(app.url);
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    assert.match(notice.html, /ISP|服务/);
    const refused = await browser.submit(notice, 'form[action="/apply"]', {});
    assert.ok(isPage(refused));
    assert.equal(refused.status, 400);
    assert.ok(refused.document.querySelector('#accept'), 'the notice is shown again');
    const skipped = await browser.request('/apply/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: refused.document.querySelector('input[name=_csrf]')!.getAttribute('value')!, document_type: 'resident_id' }),
    });
    assert.equal(skipped.status, 400, 'the details cannot be posted without accepting the notice');
  });

  it('reports every invalid field at once and writes nothing', async () => {
    const before = await count();
    const bad = { ...adult, documentNumber: adult.documentNumber.slice(0, 17) + (adult.documentNumber.endsWith('1') ? '2' : '1'), name: '张\u202E伟', password: 'password' };
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), bad);
    assert.equal(page.status, 400);
    const errors = fieldErrors(page).join('\n');
    assert.match(errors, /check for a typing mistake/);
    assert.match(errors, /invisible or direction-changing/);
    assert.match(errors, /too common/);
    assert.equal(await count(), before);
  });

  it('rejects a birth date that differs from the one inside the ID number', async () => {
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...adult, birthDate: '1980-04-03' });
    assert.equal(page.status, 400);
    assert.match(fieldErrors(page).join('\n'), /does not match the birth date/);
  });

  it('refuses details the identity authority cannot confirm, writing nothing', async () => {
    const before = await count();
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...adult, name: '别人' });
    assert.equal(page.status, 400);
    assert.match(page.html, /could not confirm/);
    assert.equal(await count(), before);
  });

  it('issues a cyberspace ID, shown grouped for reading, that signs in', async () => {
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), adult);
    assert.equal(page.status, 201);
    const shown = page.document.querySelector('#new-cyberspace-id')!.text.trim();
    assert.match(shown, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
    const id = issuedId(page);
    assert.ok(isValidCyberspaceId(id));
    assert.match(page.html, /different cyberspace ID/);
    const dashboard = await signInToAccount(new Browser(app.url), id.toLowerCase(), adult.password);
    assert.equal(dashboard.status, 200);
    assert.ok(dashboard.html.includes(shown));
    const row = await app.container.db.knex('citizens').where({ cyberspace_id: id }).first();
    assert.equal(row.assurance_level, 'document_verified');
    assert.ok(row.name_ciphertext && !row.name_ciphertext.includes(adult.name));
  });

  it('allows one cyberspace ID per document, even for applications that race', async () => {
    const other: Applicant = { documentType: 'passport', documentNumber: 'E12345678', name: 'Race Runner', birthDate: '1975-01-01', password: 'another long phrase' };
    await seedSandbox(app.container, other);
    const pages = await Promise.all([1, 2, 3].map(() => applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), other)));
    assert.deepEqual(pages.map((p) => p.status).sort(), [201, 400, 400]);
    for (const page of pages.filter((p) => p.status === 400)) assert.match(page.html, /already exists for this document/);
    const again = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...other, documentNumber: 'e1234-5678' });
    assert.equal(again.status, 400, 'normalised spellings of the same document count as the same');
    assert.match(again.html, /recover your password/);
  });

  it('refuses applicants under 14 who apply themselves', async () => {
    const child: Applicant = { documentType: 'resident_id', documentNumber: residentId('110105', '2016-02-29', '124'), name: '小孩', birthDate: '2016-02-29', password: 'child long phrase' };
    await seedSandbox(app.container, child);
    const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), child);
    assert.equal(page.status, 400);
    assert.match(page.html, /under 14 cannot apply themselves/);
  });
});

describe('applying does not reveal who holds a cyberspace ID', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('answers "not confirmed", not "already registered", to someone who only knows the document number', async () => {
    const holder: Applicant = { documentType: 'passport', documentNumber: 'E87654321', name: 'Holder Person', birthDate: '1970-03-03', password: 'holder long phrase' };
    await seedSandbox(app.container, holder);
    assert.equal((await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), holder)).status, 201);
    const prober = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...holder, name: 'Someone Else', password: 'prober long phrase' });
    assert.equal(prober.status, 400);
    assert.match(prober.html, /could not confirm/);
    assert.doesNotMatch(prober.html, /already exists/);
  });
});

describe('naming a guardian does not reveal who holds a cyberspace ID', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('says nothing about the named guardian until the applicant\'s own identity is confirmed', async () => {
    const adult = await app.container.citizens.createTestCitizen({ birthDate: '1970-01-01' });
    const teenBirth = `${new Date().getUTCFullYear() - 15}-03-03`;
    const prober = (guardian: string): Applicant => ({ documentType: 'resident_id', documentNumber: residentId('110105', teenBirth, '135'), name: '试探者', birthDate: teenBirth, password: 'prober long phrase', guardian });
    // Not in the sandbox: the authority cannot confirm the prober, so no guardian is looked at —
    // a real adult's ID and one never issued get the same answer.
    const answers = new Set<string>();
    for (const guardian of [adult.cyberspace_id, generateCyberspaceId()]) {
      const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), prober(guardian));
      assert.equal(page.status, 400);
      assert.match(page.html, /could not confirm/);
      answers.add(fieldErrors(page).join('\n'));
    }
    assert.equal(answers.size, 1);
  });
});

describe('applications are rate limited per client address', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('refuses submissions past the limit with 429, before asking the identity authority', async () => {
    const limit = app.container.config.rateLimit.applicationsPerAddressPerWindow;
    const asked: string[] = [];
    const probe: Applicant = { documentType: 'passport', documentNumber: 'E11112222', name: 'Rate Limited', birthDate: '1980-01-01', password: 'rate limited phrase' };
    for (let i = 0; i < limit; i += 1) {
      const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), probe);
      asked.push(String(page.status));
    }
    assert.ok(asked.every((status) => status === '400'), asked.join(' '));
    const refused = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), probe);
    assert.equal(refused.status, 429);
    assert.match(refused.html, /Too many applications/);
  });
});
