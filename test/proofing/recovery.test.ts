// Recovery that cannot take an account over (docs/assurance.md "Recovery"): evidence at least
// as strong as the account's level; facts alone recover a low account without a second factor
// at once, but on one with a second factor the reset waits (told on every signed-in dashboard,
// cancellable) and never removes the factor early; an attestation completes at once.
import assert from 'node:assert/strict';
import { runCommand } from '../../src/cli/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { EN, activityLines, adultIdentity, appliedCitizen, dashboard } from '../account/account-support.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import type { Credentials } from '../support/flow.js';

const NEW_PASSWORD = 'a completely fresh passphrase';
const alert = (page: Page) => page.document.querySelectorAll('[role="alert"]').map((el) => el.text.replace(/\s+/g, ' ').trim()).join(' ');

describe('account recovery and identity assurance', () => {
  let app: TestApp;

  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  const rowOf = async (who: Credentials) => (await app.container.citizenQueries.findCitizenByCyberspaceId(who.cyberspace_id))!;
  const withSecondFactor = async (who: Credentials) => app.container.citizenQueries.enableTotp((await rowOf(who)).id, 'sealed-secret-placeholder');

  /** Fills /recover with the person's facts; `level` adds a sandbox attestation for the page's challenge. */
  async function recover(who: Credentials, person: IdentityClaim, options: { level?: 'substantial' | 'high'; attestAs?: IdentityClaim } = {}) {
    const browser = new Browser(app.url, EN);
    const form = await browser.navigate('/recover');
    assert.ok(isPage(form));
    let attestation = '';
    if (options.level) {
      const code = form.document.querySelector('#short-code')!.getAttribute('value')!;
      const subject = options.attestAs ?? person;
      attestation = (await runCommand(app.container, ['sandbox', 'attest', '--level', options.level, '--challenge', code, '--document-type', subject.documentType, '--document-number', subject.documentNumber])).output.trim();
    }
    const result = await browser.submit(form, 'form[action="/recover"]', {
      cyberspace_id: who.cyberspace_id, document_type: person.documentType, document_number: person.documentNumber,
      name: person.name, birth_date: person.birthDate, password: NEW_PASSWORD, attestation,
    });
    assert.ok(isPage(result));
    return result;
  }
  const recovered = (page: Page) => /\/account\/login\?done=recovered/.test(page.url);

  async function raise(person: IdentityClaim, level: 'substantial' | 'high') {
    const { challenge } = await app.container.attestations.issueChallenge();
    const jws = (await runCommand(app.container, ['sandbox', 'attest', '--level', level, '--challenge', challenge, '--document-type', person.documentType, '--document-number', person.documentNumber])).output.trim();
    const row = (await app.container.citizenQueries.findCitizenByBlindIndex(app.container.vault.blindIndex(person.documentType, person.documentNumber)))!;
    await app.container.assuranceRaise.raise(row, { challenge, attestation: jws });
  }

  it('facts alone recover a low account without a second factor at once', async () => {
    const person = adultIdentity('找回甲');
    const who = await appliedCitizen(app, person);
    assert.ok(recovered(await recover(who, person)));
    assert.match((await signInToAccount(new Browser(app.url, EN), who.cyberspace_id, NEW_PASSWORD)).url, /\/account$/);
  });

  it('facts alone on an account with a second factor wait: nothing changes, every session is told and can cancel', async () => {
    const person = adultIdentity('找回乙');
    const who = await appliedCitizen(app, person);
    const holder = new Browser(app.url, EN);
    await signInToAccount(holder, who.cyberspace_id, who.password);
    await withSecondFactor(who);
    const before = await rowOf(who);

    const waiting = await recover(who, person);
    assert.equal(waiting.status, 202);
    assert.match(waiting.document.querySelector('#recover-waiting')!.text, /can be completed after \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\+8/);
    const during = await rowOf(who);
    assert.equal(during.password_hash, before.password_hash, 'the password is unchanged while waiting');
    assert.ok(during.totp_enabled_at, 'the second factor stays on');
    const request = await app.container.recovery.waiting(during);
    assert.ok(request);
    assert.ok(new Date(request.completes_at).getTime() - Date.now() > 71.9 * 3600_000, 'the default wait is 72 hours');

    // Asking again does not shorten the wait.
    assert.match((await recover(who, person)).document.querySelector('#recover-waiting')!.text, /still in its waiting period/);

    const page = await dashboard(holder);
    assert.match(page.document.querySelector('#waiting-recovery')!.text, /recover this account with your document details alone/);
    const cancelled = await holder.submit(page, 'form[action="/account/recovery/cancel"]', {});
    assert.ok(isPage(cancelled) && /done=recovery_cancelled/.test(cancelled.url));
    assert.equal(await app.container.recovery.waiting(during), undefined);
    assert.equal(cancelled.document.querySelector('#waiting-recovery'), null);
    const lines = activityLines(cancelled);
    assert.ok(lines.some((l) => /waiting period started/.test(l)) && lines.some((l) => /Waiting recovery cancelled/.test(l)), lines.join('\n'));
    assert.equal((await rowOf(who)).password_hash, before.password_hash, 'cancelling changed nothing');
    assert.ok((await rowOf(who)).totp_enabled_at);
  });

  it('after the wait, submitting again completes the recovery and only then turns the second factor off', async () => {
    const person = adultIdentity('找回丙');
    const who = await appliedCitizen(app, person);
    await withSecondFactor(who);
    assert.equal((await recover(who, person)).status, 202);
    // The wait passes (the clock of the request, not of the test).
    await app.container.db.knex('recovery_requests').where({ citizen_id: (await rowOf(who)).id }).update({ completes_at: new Date(Date.now() - 1000) });
    assert.ok(recovered(await recover(who, person)));
    const row = await rowOf(who);
    assert.equal(row.totp_enabled_at, null);
    const signedIn = await signInToAccount(new Browser(app.url, EN), who.cyberspace_id, NEW_PASSWORD);
    assert.ok(activityLines(signedIn).some((line) => /turned off by recovering/.test(line)));
  });

  it('an attestation completes at once on an account with a second factor, ending a waiting request', async () => {
    const person = adultIdentity('找回丁');
    const who = await appliedCitizen(app, person);
    await withSecondFactor(who);
    assert.equal((await recover(who, person)).status, 202);
    assert.ok(recovered(await recover(who, person, { level: 'substantial' })));
    const row = await rowOf(who);
    assert.equal(row.totp_enabled_at, null);
    assert.equal(await app.container.recovery.waiting(row), undefined);
  });

  it('a substantial or high account needs an attestation at its level; facts alone are refused', async () => {
    const person = adultIdentity('找回戊');
    const who = await appliedCitizen(app, person);
    await raise(person, 'high');
    const factsOnly = await recover(who, person);
    assert.equal(factsOnly.status, 400);
    assert.match(alert(factsOnly), /verified at high assurance: recovering it needs an attestation at high level/);
    const weaker = await recover(who, person, { level: 'substantial' });
    assert.equal(weaker.status, 400);
    assert.match(alert(weaker), /needs an attestation at high level/);
    const before = (await rowOf(who)).password_hash;
    assert.equal((await rowOf(who)).password_hash, before);
    assert.ok(recovered(await recover(who, person, { level: 'high' })));
  });

  it('an attestation about another document is refused with its reason, and nothing changes', async () => {
    const person = adultIdentity('找回己');
    const stranger = adultIdentity('找回庚');
    const who = await appliedCitizen(app, person);
    await appliedCitizen(app, stranger);
    await raise(person, 'substantial');
    const before = (await rowOf(who)).password_hash;
    const refused = await recover(who, person, { level: 'high', attestAs: stranger });
    assert.equal(refused.status, 400);
    assert.match(alert(refused), /about a different document/);
    assert.equal((await rowOf(who)).password_hash, before);
  });
});
