// Raising identity assurance from the account page: a new account is low (document facts);
// the page shows a single-use challenge as a QR code and a short code; a sandbox attestation
// for the citizen's own document raises the level (substantial, then high), never lowers it,
// and is refused for someone else's document.
import assert from 'node:assert/strict';
import { runCommand } from '../../src/cli/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { EN, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard } from '../account/account-support.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

const alert = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim() ?? '';

describe('raising identity assurance with an attestation', () => {
  let app: TestApp;
  const identity = adultIdentity('升级甲');
  const other = adultIdentity('升级乙');
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    const credentials = await appliedCitizen(app, identity);
    await appliedCitizen(app, other);
    browser = new Browser(app.url, EN);
    await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
  });
  after(async () => app.stop());

  const level = async () => (await app.container.citizenQueries.findCitizenByBlindIndex(app.container.vault.blindIndex(identity.documentType, identity.documentNumber)))!;

  async function attestFor(page: Page, who: IdentityClaim, attestLevel: 'substantial' | 'high') {
    const shortCode = page.document.querySelector('#short-code')!.getAttribute('value')!;
    const result = await runCommand(app.container, ['sandbox', 'attest', '--level', attestLevel, '--challenge', shortCode, '--document-type', who.documentType, '--document-number', who.documentNumber]);
    assert.equal(result.exitCode ?? 0, 0, result.output);
    return result.output.trim();
  }

  it('a new account rests on document facts: low', async () => {
    const row = await level();
    assert.equal(row.identity_assurance, 'low');
    assert.deepEqual({ ...row.identity_evidence, verifiedAt: undefined }, { kind: 'document_facts', level: 'low', verifiedAt: undefined });
    assert.match((await dashboard(browser, '/account/security')).document.querySelector('#assurance-summary')!.text, /^Low/);
  });

  it('shows a QR code and a short code, and raises the level with an attestation for the own document', async () => {
    const page = await browser.navigate('/account/assurance');
    assert.ok(isPage(page));
    assertPageRules(page, 'assurance page');
    assert.ok(page.document.querySelector('figure.qr svg'), 'QR code drawn on the server');
    assert.match(page.document.querySelector('#short-code')!.getAttribute('value')!, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const done = await browser.submit(page, 'form[action="/account/assurance"]', { attestation: await attestFor(page, identity, 'substantial') });
    assert.ok(isPage(done) && /done=assurance_raised/.test(done.url), alert(done as Page));
    const row = await level();
    assert.equal(row.identity_assurance, 'substantial');
    assert.equal(row.identity_evidence?.kind, 'attestation');
    assert.doesNotMatch(JSON.stringify(row.identity_evidence), new RegExp(identity.documentNumber));
    assert.ok(activityLines(await dashboard(browser, '/account/activity')).some((line) => /Identity assurance raised to substantial/.test(line)));
  });

  it('refuses an attestation about another document, and one used twice, with clear messages', async () => {
    const page = await browser.navigate('/account/assurance');
    assert.ok(isPage(page));
    const wrong = await browser.submit(page, 'form[action="/account/assurance"]', { attestation: await attestFor(page, other, 'high') });
    assert.ok(isPage(wrong));
    assert.equal(wrong.status, 400);
    assert.match(alert(wrong), /about a different document/);

    const fresh = await browser.navigate('/account/assurance');
    assert.ok(isPage(fresh));
    const jws = await attestFor(fresh, identity, 'high');
    const raised = await browser.submit(fresh, 'form[action="/account/assurance"]', { attestation: jws });
    assert.ok(isPage(raised) && /done=assurance_raised/.test(raised.url));
    assert.equal((await level()).identity_assurance, 'high');
    const again = await browser.submit(fresh, 'form[action="/account/assurance"]', { attestation: jws });
    assert.ok(isPage(again));
    assert.match(alert(again), /already been used/);
  });

  it('never lowers the level: a substantial attestation on a high account is refused', async () => {
    const page = await browser.navigate('/account/assurance');
    assert.ok(isPage(page));
    const result = await browser.submit(page, 'form[action="/account/assurance"]', { attestation: await attestFor(page, identity, 'substantial') });
    assert.ok(isPage(result));
    assert.match(alert(result), /already has this level or a higher one/);
    assert.equal((await level()).identity_assurance, 'high');
  });
});
