// Applying with attested evidence: the form shows a single-use challenge (QR code and short
// code); an attestation for it and for the applicant's document gives the account the
// attester's level from the start; a bad one is refused with its reason and writes nothing.
import assert from 'node:assert/strict';
import { runCommand } from '../../src/cli/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { issuedId, seedSandbox } from '../support/citizen-pages.js';
import { EN, PASSWORD, adultIdentity } from '../account/account-support.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

describe('applying with an attestation', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  async function apply(person: IdentityClaim, attestFor?: { level: 'substantial' | 'high'; subject: IdentityClaim }): Promise<Page> {
    const browser = new Browser(app.url, EN);
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    assert.ok(form.document.querySelector('figure.qr svg'), 'the form shows the challenge as a QR code');
    let attestation = '';
    if (attestFor) {
      const code = form.document.querySelector('#short-code')!.getAttribute('value')!;
      attestation = (await runCommand(app.container, ['sandbox', 'attest', '--level', attestFor.level, '--challenge', code, '--document-type', attestFor.subject.documentType, '--document-number', attestFor.subject.documentNumber])).output.trim();
    }
    const result = await browser.submit(form, 'form[action="/apply/submit"]', {
      document_type: person.documentType, document_number: person.documentNumber, name: person.name, birth_date: person.birthDate, password: PASSWORD, attestation,
    });
    assert.ok(isPage(result));
    return result;
  }
  const rowOf = async (person: IdentityClaim) => app.container.citizenQueries.findCitizenByBlindIndex(app.container.vault.blindIndex(person.documentType, person.documentNumber));

  it('without an attestation the account is low; with one, the attester’s level', async () => {
    const plain = adultIdentity('申领低');
    await seedSandbox(app.container, plain);
    assert.equal((await apply(plain)).status, 201);
    assert.equal((await rowOf(plain))!.identity_assurance, 'low');

    const strong = adultIdentity('申领高');
    await seedSandbox(app.container, strong);
    const done = await apply(strong, { level: 'high', subject: strong });
    assert.equal(done.status, 201);
    issuedId(done);
    const row = (await rowOf(strong))!;
    assert.equal(row.identity_assurance, 'high');
    assert.equal(row.identity_evidence?.kind, 'attestation');
  });

  it('an attestation about another document is refused with its reason, and nothing is written', async () => {
    const person = adultIdentity('申领丙');
    const other = adultIdentity('申领丁');
    await seedSandbox(app.container, person);
    await seedSandbox(app.container, other);
    const before = await app.container.citizenQueries.countCitizens();
    const refused = await apply(person, { level: 'substantial', subject: other });
    assert.equal(refused.status, 400);
    assert.match(refused.document.querySelector('[role="alert"]')!.text, /about a different document/);
    assert.equal(await app.container.citizenQueries.countCitizens(), before);
    assert.equal(await rowOf(person), undefined);
  });
});
