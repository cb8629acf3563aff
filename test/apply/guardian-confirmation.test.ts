// No guardian is linked to a minor on anyone's word (issue 8): the identity authority confirms
// the relationship first, on each path that links one — a guardian applying for a child, a
// 14–17-year-old naming a guardian, a ward naming a new guardian. A refusal is a clear form
// error in both languages and writes nothing: every table has as many rows as before, and the
// only new audit entries record that the people's documents were read to ask the authority.
// An authority that cannot answer gives the usual "try again later", again writing nothing.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { applyInBrowser, fieldErrors, issuedId, signInToAccount } from '../support/citizen-pages.js';
import { adultWithIdentity, confirmGuardianOf, type AdultWithIdentity } from '../support/guardians.js';
import { personAged } from '../support/identities.js';
import { answer, startAuthorityStub, type AuthorityStub } from '../support/authority-stub.js';
import { runCommand } from '../../src/cli/registry.js';
import { SANDBOX_SEED_IDENTITIES } from '../../src/identity-authority/sandbox-seed.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

const PASSWORD = 'a long memorable phrase';
const EN = { 'accept-language': 'en' };
const ZH = { 'accept-language': 'zh-CN' };
const NOT_CONFIRMED = {
  en: /The identity authority does not confirm that the holder of this cyberspace ID is your guardian/,
  zh: /身份核验机构未确认该网号的持有人是您的监护人/,
};
const NOT_CONFIRMED_CHILD = {
  en: /The identity authority does not confirm you as this child's guardian/,
  zh: /身份核验机构未确认您是该儿童的监护人/,
};
/** Reading a document to ask the authority is itself audited; nothing else may be written. */
const READS = new Set(['identity.decrypted/guardian_confirmation', 'identity.decrypted/guardian_eligibility']);

/** Rows per table (audit entries by type and purpose), to compare before and after a refusal. */
async function snapshot(app: TestApp): Promise<Map<string, number>> {
  const { knex } = app.container.db;
  // Tables and partitioned tables, not their partitions (a partitioned table counts its partitions' rows).
  const { rows: listed } = await knex.raw(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition`, [app.schema]);
  const tables = (listed as Array<{ relname: string }>).map((row) => row.relname);
  const counts = new Map<string, number>();
  for (const table of tables.filter((name) => name !== 'audit_log')) {
    const { rows } = await knex.raw('SELECT count(*)::int AS n FROM ??.??', [app.schema, table]);
    counts.set(table, rows[0].n);
  }
  const entries = await knex.raw(`SELECT type || coalesce('/' || (details->>'purpose'), '') AS kind, count(*)::int AS n FROM ??.audit_log GROUP BY 1`, [app.schema]);
  for (const { kind, n } of entries.rows as Array<{ kind: string; n: number }>) counts.set(`audit_log:${kind}`, n);
  return counts;
}

/** Every count is unchanged, except audited reads of a document for the authority. */
async function assertNothingWritten(app: TestApp, before: Map<string, number>, label: string) {
  const after = await snapshot(app);
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (READS.has(key.replace(/^audit_log:/, ''))) continue;
    assert.equal(after.get(key) ?? 0, before.get(key) ?? 0, `${label}: ${key} changed`);
  }
}

/** The child application: the notice accepted, then the details form, submitted. */
async function applyForChild(browser: Browser, child: IdentityClaim): Promise<Page> {
  const notice = await browser.navigate('/account/children/apply');
  assert.ok(isPage(notice));
  const form = await browser.submit(notice, 'form[action="/account/children/apply/form"]', { accept: 'yes' });
  assert.ok(isPage(form));
  const done = await browser.submit(form, 'form[action="/account/children/apply"]', {
    document_type: child.documentType, document_number: child.documentNumber, name: child.name, birth_date: child.birthDate, password: PASSWORD,
  });
  assert.ok(isPage(done));
  return done;
}

/**
 * A ward signs in and opens their guardianship page; `submit` names a new guardian. (Signing in
 * writes its own records, so a test compares from the open form.)
 */
async function newGuardianForm(app: TestApp, headers: Record<string, string>, wardId: string) {
  const browser = new Browser(app.url, headers);
  await signInToAccount(browser, wardId, PASSWORD);
  const page = await browser.navigate('/account/guardianship');
  assert.ok(isPage(page) && page.document.querySelector('form[action="/account/guardian"]'), 'the ward may name a new guardian');
  return async (guardianId: string): Promise<Page> => {
    const result = await browser.submit(page, 'form[action="/account/guardian"]', { guardian: guardianId });
    assert.ok(isPage(result));
    return result;
  };
}

const signedIn = async (app: TestApp, adult: AdultWithIdentity, headers: Record<string, string>) => {
  const browser = new Browser(app.url, headers);
  assert.equal((await signInToAccount(browser, adult.cyberspace_id, adult.password)).status, 200);
  return browser;
};

const row = async (app: TestApp, cyberspaceId: string) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;

describe('the identity authority confirms every guardian link (sandbox)', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  for (const [language, headers] of [['en', EN], ['zh', ZH]] as const) {
    it(`a guardian applying for a child they are not confirmed for: a clear error (${language}), nothing written`, async () => {
      const guardian = await adultWithIdentity(app.container);
      const child = personAged(9, '未确认');
      await app.container.sandboxIdentities.add(child);
      // The guardian is confirmed for another child, not this one.
      await confirmGuardianOf(app.container, guardian, personAged(7, '别家孩子'));
      const browser = await signedIn(app, guardian, headers);
      const before = await snapshot(app);
      const refused = await applyForChild(browser, child);
      assert.equal(refused.status, 400);
      assert.match(fieldErrors(refused).join('\n'), NOT_CONFIRMED_CHILD[language]);
      await assertNothingWritten(app, before, 'child');
    });

    it(`a minor naming an adult the authority does not confirm: a clear error (${language}), nothing written`, async () => {
      const adult = await adultWithIdentity(app.container);
      const minor = personAged(15, '未确认乙');
      await app.container.sandboxIdentities.add(minor);
      const before = await snapshot(app);
      const refused = await applyInBrowser(new Browser(app.url, headers), { ...minor, password: PASSWORD, guardian: adult.cyberspace_id });
      assert.equal(refused.status, 400);
      assert.match(refused.document.querySelector('#guardian-error')!.text, NOT_CONFIRMED[language]);
      await assertNothingWritten(app, before, 'minor');
    });

    it(`a ward naming a new guardian the authority does not confirm: a clear error (${language}), the link unchanged`, async () => {
      const guardian = await adultWithIdentity(app.container);
      const stranger = await adultWithIdentity(app.container);
      const minor = personAged(15, '换不成');
      await confirmGuardianOf(app.container, guardian, minor);
      const { cyberspaceId } = await app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
      const submit = await newGuardianForm(app, headers, cyberspaceId);
      const before = await snapshot(app);
      const refused = await submit(stranger.cyberspace_id);
      assert.equal(refused.status, 400);
      assert.match(refused.document.querySelector('#guardian-error')!.text, NOT_CONFIRMED[language]);
      await assertNothingWritten(app, before, 'new guardian');
      const ward = await row(app, cyberspaceId);
      assert.equal(ward.guardian_id, guardian.citizen.id, 'still the confirmed guardian');
      assert.equal(ward.status, 'pending_guardian');
    });
  }

  it('the child application speaks to the guardian about the child, in Chinese too', async () => {
    const browser = await signedIn(app, await adultWithIdentity(app.container), ZH);
    const notice = await browser.navigate('/account/children/apply');
    assert.ok(isPage(notice));
    assert.equal(notice.document.querySelector('h1')!.text.trim(), '为孩子申领前请阅读：我们如何处理孩子的信息');
    assert.match(notice.document.text, /且您是孩子的监护人/, 'the notice says the relationship is checked');
    const form = await browser.submit(notice, 'form[action="/account/children/apply/form"]', { accept: 'yes' });
    assert.ok(isPage(form));
    assert.equal(form.document.querySelector('h1')!.text.trim(), '孩子的身份证件');
    assert.match(form.document.querySelector('label[for=name]')!.text, /孩子证件上的姓名/);
  });

  it('an adult who is not the guardian does not learn whether the child already holds a cyberspace ID', async () => {
    const parent = await adultWithIdentity(app.container);
    const stranger = await adultWithIdentity(app.container);
    const child = personAged(10, '已有号');
    await confirmGuardianOf(app.container, parent, child);
    await app.container.applications.apply({ ...child, password: PASSWORD }, parent.citizen);
    const refused = await applyForChild(await signedIn(app, stranger, EN), child);
    assert.equal(refused.status, 400);
    const errors = fieldErrors(refused).join('\n');
    assert.match(errors, NOT_CONFIRMED_CHILD.en);
    assert.doesNotMatch(errors, /already exists/);
    // The parent, asking again, is told.
    const again = await applyForChild(await signedIn(app, parent, EN), child);
    assert.match(fieldErrors(again).join('\n'), /already exists/);
  });

  it('a guardian without a document on record (a test citizen) is never confirmed, on any path', async () => {
    const testCitizen = await app.container.citizens.createTestCitizen({ birthDate: '1980-04-02' });
    const minor = personAged(16, '无证件');
    await app.container.sandboxIdentities.add(minor);
    const before = await snapshot(app);
    const refused = await applyInBrowser(new Browser(app.url, EN), { ...minor, password: PASSWORD, guardian: testCitizen.cyberspace_id });
    assert.equal(refused.status, 400);
    assert.match(fieldErrors(refused).join('\n'), NOT_CONFIRMED.en);
    await assertNothingWritten(app, before, 'test citizen');
  });

  it('a confirmed pair works on every path', async () => {
    const first = await adultWithIdentity(app.container);
    const second = await adultWithIdentity(app.container);
    const minor = personAged(15, '已确认');
    const child = personAged(8, '已确认童');
    for (const guardian of [first, second]) await confirmGuardianOf(app.container, guardian, minor);
    await confirmGuardianOf(app.container, first, child);

    const before = await snapshot(app);
    const applied = await applyInBrowser(new Browser(app.url, EN), { ...minor, password: PASSWORD, guardian: first.cyberspace_id });
    assert.equal(applied.status, 201);
    await assert.rejects(assertNothingWritten(app, before, 'confirmed'), /confirmed: .* changed/, 'the snapshot sees what applying writes');
    const wardId = issuedId(applied);
    assert.equal((await row(app, wardId)).guardian_id, first.citizen.id);
    // Sending the guardian's document to the authority is on the guardian's own record.
    const reads = await app.container.audit.listForCitizen(first.citizen.id, { limit: 50 });
    assert.ok(reads.some((e) => e.type === 'identity.decrypted' && (e.details as { purpose?: string }).purpose === 'guardian_confirmation'));

    const named = await (await newGuardianForm(app, EN, wardId))(second.cyberspace_id);
    assert.match(named.html, /new guardian has been named/);
    assert.equal((await row(app, wardId)).guardian_id, second.citizen.id);

    const done = await applyForChild(await signedIn(app, first, EN), child);
    assert.equal(done.status, 201);
    assert.equal((await row(app, issuedId(done))).guardian_id, first.citizen.id);
  });

  it('the documented sandbox pairs: 张伟 applies for 陈静, 刘洋 names 张伟; 李娜 is refused', async () => {
    const seeded = await runCommand(app.container, ['sandbox', 'seed']);
    assert.equal(seeded.exitCode ?? 0, 0, seeded.output);
    const person = (name: string) => SANDBOX_SEED_IDENTITIES.find((e) => e.name === name)!;
    const adult = async (name: string) => {
      const page = await applyInBrowser(new Browser(app.url, EN), { ...person(name), password: PASSWORD });
      assert.equal(page.status, 201);
      const cyberspaceId = issuedId(page);
      return { cyberspace_id: cyberspaceId, password: PASSWORD, citizen: await row(app, cyberspaceId), identity: person(name) };
    };
    const zhangWei = await adult('张伟');
    const liNa = await adult('李娜');
    const child = await applyForChild(await signedIn(app, zhangWei, EN), person('陈静'));
    assert.equal(child.status, 201);
    const refused = await applyInBrowser(new Browser(app.url, EN), { ...person('刘洋'), password: PASSWORD, guardian: liNa.cyberspace_id });
    assert.match(fieldErrors(refused).join('\n'), NOT_CONFIRMED.en);
    const minor = await applyInBrowser(new Browser(app.url, EN), { ...person('刘洋'), password: PASSWORD, guardian: zhangWei.cyberspace_id });
    assert.equal(minor.status, 201);
    assert.equal((await row(app, issuedId(minor))).guardian_id, zhangWei.citizen.id);
  });
});

describe('the identity authority confirms every guardian link (HTTP authority)', () => {
  let app: TestApp;
  let stub: AuthorityStub;
  let guardianship: 'confirmed' | 'not_confirmed' | 'down';
  before(async () => {
    stub = await startAuthorityStub();
    stub.reply = (request) => {
      if (!request.url.endsWith('/guardianship')) return answer('verified');
      return guardianship === 'down' ? { status: 503 } : answer(guardianship);
    };
    app = await startTestApp({
      env: { IDENTITY_AUTHORITY_URL: stub.url },
      configure: (config) => {
        config.identityAuthority.backoffMs = 1;
        config.identityAuthority.breaker.failureThreshold = 100;
      },
    });
  });
  after(async () => {
    await app.stop();
    await stub.close();
  });

  it('sends the authority only the two documents, and links on its confirmation', async () => {
    guardianship = 'confirmed';
    const guardian = await adultWithIdentity(app.container);
    const minor = personAged(15, '远程确认');
    const { status } = await app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
    assert.equal(status, 'pending_guardian');
    const asked = stub.requests.filter((r) => r.url === '/v1/guardianship');
    assert.equal(asked.length, 1);
    assert.deepEqual(JSON.parse(asked[0]!.body), {
      guardian: { document_type: guardian.identity.documentType, document_number: guardian.identity.documentNumber },
      ward: { document_type: minor.documentType, document_number: minor.documentNumber },
    });
  });

  it('a definite no from the authority writes nothing', async () => {
    guardianship = 'not_confirmed';
    const guardian = await adultWithIdentity(app.container);
    const before = await snapshot(app);
    const refused = await applyInBrowser(new Browser(app.url, EN), { ...personAged(15, '远程否认'), password: PASSWORD, guardian: guardian.cyberspace_id });
    assert.equal(refused.status, 400);
    assert.match(fieldErrors(refused).join('\n'), NOT_CONFIRMED.en);
    await assertNothingWritten(app, before, 'http not_confirmed');
  });

  it('an authority that cannot answer: "try again later" (503) on every path, nothing written', async () => {
    guardianship = 'confirmed';
    const guardian = await adultWithIdentity(app.container);
    const other = await adultWithIdentity(app.container);
    const pending = await app.container.applications.apply({ ...personAged(15, '等待中'), password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
    const guardianBrowser = await signedIn(app, guardian, EN);
    guardianship = 'down';

    let before = await snapshot(app);
    const child = await applyForChild(guardianBrowser, personAged(9, '稍后童'));
    assert.equal(child.status, 503);
    assert.match(child.document.querySelector('[role=alert]')!.text, /try again/i);
    await assertNothingWritten(app, before, 'child, authority down');

    before = await snapshot(app);
    const minor = await applyInBrowser(new Browser(app.url, EN), { ...personAged(15, '稍后'), password: PASSWORD, guardian: guardian.cyberspace_id });
    assert.equal(minor.status, 503);
    await assertNothingWritten(app, before, 'minor, authority down');

    guardianship = 'confirmed';
    const submit = await newGuardianForm(app, EN, pending.cyberspaceId);
    guardianship = 'down';
    before = await snapshot(app);
    const replaced = await submit(other.cyberspace_id);
    assert.equal(replaced.status, 503);
    await assertNothingWritten(app, before, 'new guardian, authority down');
    assert.equal((await row(app, pending.cyberspaceId)).guardian_id, guardian.citizen.id, 'the link is unchanged');
  });
});
