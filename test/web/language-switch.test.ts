// The language switch keeps the citizen where they are: on a page reached by a form post it
// submits that page's form (what has been typed, secrets dropped) and the handler shows the same
// form in the other language without acting on it (issue 12).
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { seedSandbox, type Applicant } from '../support/citizen-pages.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';

const first17 = '11010519800402456';
const applicant: Applicant = { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name: '切换语言', birthDate: '1980-04-02', password: 'a long memorable phrase' };

/** The masthead's switch: a submit button of the page's own form, pointing at a form that exists. */
function switchButton(page: Page) {
  const button = page.document.querySelector('header button.lang');
  assert.ok(button, 'the language switch is a button of the page form');
  assert.equal(page.document.querySelector('header a.lang'), null, 'no link that would lose the form');
  const form = page.document.querySelector(`form#${button.getAttribute('form')}`);
  assert.ok(form, `the switch submits form #${button.getAttribute('form')}, which is on the page`);
  return { name: button.getAttribute('name')!, value: button.getAttribute('value')!, formAction: form.getAttribute('action')! };
}

describe('the language switch on pages reached by a form post', () => {
  let app: TestApp;
  const citizens = async () => Number((await app.container.db.knex('citizens').count<{ c: string }[]>('* as c'))[0]!.c);

  before(async () => {
    app = await startTestApp();
    await seedSandbox(app.container, applicant);
  });
  after(async () => app.stop());

  it('re-renders the application form in Chinese with what was typed, the password dropped, nothing applied', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    const button = switchButton(form);
    assert.deepEqual(button, { name: '_switch_lang', value: 'zh-CN', formAction: '/apply/submit' });

    const before = await citizens();
    const typed = { document_type: applicant.documentType, document_number: applicant.documentNumber, name: applicant.name, birth_date: applicant.birthDate, password: applicant.password, guardian: '' };
    const switched = await browser.submit(form, 'form#application-form', typed, { name: button.name, value: button.value });
    assert.ok(isPage(switched));
    assert.equal(switched.status, 200);
    assert.equal(switched.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.equal(switched.document.querySelector('#name')!.getAttribute('value'), applicant.name, 'the typed name stays');
    assert.equal(switched.document.querySelector('#document_number')!.getAttribute('value'), applicant.documentNumber);
    assert.equal(switched.document.querySelector('#birth_date')!.getAttribute('value'), applicant.birthDate);
    assert.equal(switched.document.querySelector('#password')!.getAttribute('value'), undefined, 'the password is never echoed');
    assert.equal(switched.document.querySelector('[role=alert]'), null, 'nothing was checked, so no errors');
    assert.equal(await citizens(), before, 'switching language applies for nothing');
    assert.deepEqual(switchButton(switched), { name: '_switch_lang', value: 'en', formAction: '/apply/submit' }, 'and it switches back the same way');

    // The choice is remembered: the next page, reached by a link, is in Chinese too.
    const home = await browser.navigate('/');
    assert.ok(isPage(home));
    assert.equal(home.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
  });

  it('after an error keeps the input and offers the same switch', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'zh-CN' });
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    const refused = await browser.submit(form, 'form#application-form', { document_type: 'resident_id', document_number: applicant.documentNumber, name: applicant.name, birth_date: '', password: '' });
    assert.ok(isPage(refused));
    assert.equal(refused.status, 400);
    const button = switchButton(refused);
    const switched = await browser.submit(refused, 'form#application-form', {}, { name: button.name, value: button.value });
    assert.ok(isPage(switched));
    assert.equal(switched.document.querySelector('html')!.getAttribute('lang'), 'en');
    assert.equal(switched.document.querySelector('#name')!.getAttribute('value'), applicant.name);
  });

  it('re-renders the recovery form in the other language and starts no recovery', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const page = await browser.navigate('/recover');
    assert.ok(isPage(page));
    const button = switchButton(page);
    const requests = async () => Number((await app.container.db.knex('recovery_requests').count<{ c: string }[]>('* as c'))[0]!.c);
    const before = await requests();
    const switched = await browser.submit(page, 'form#recovery-form', { cyberspace_id: 'ABCD-EFGH', name: applicant.name, password: 'a new memorable phrase' }, { name: button.name, value: button.value });
    assert.ok(isPage(switched));
    assert.equal(switched.status, 200);
    assert.equal(switched.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.equal(switched.document.querySelector('#cyberspace_id')!.getAttribute('value'), 'ABCD-EFGH');
    assert.equal(switched.document.querySelector('#password')!.getAttribute('value'), undefined);
    assert.equal(await requests(), before);
  });

  it('stays a link that keeps the address on pages reached by a link', async () => {
    const page = await new Browser(app.url, { 'accept-language': 'en' }).navigate('/developers');
    assert.ok(isPage(page));
    assert.equal(page.document.querySelector('header button.lang'), null);
    assert.equal(page.document.querySelector('header a.lang')!.getAttribute('href'), '/developers?lang=zh-CN');
  });
});
