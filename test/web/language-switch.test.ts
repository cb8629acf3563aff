// The language switch keeps the citizen where they are: on a page reached by a form post it is a
// form that posts the page's non-secret input again, and the handler shows the same form in the
// other language without acting on it (issue 12).
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { seedSandbox, type Applicant } from '../support/citizen-pages.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';

const first17 = '11010519800402456';
const applicant: Applicant = { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name: '切换语言', birthDate: '1980-04-02', password: 'a long memorable phrase' };

/** The masthead's switch on a posted page: a form of its own, never a link that loses the input. */
function switchForm(page: Page) {
  const form = page.document.querySelector('header form.lang-form');
  assert.ok(form, 'the language switch is a form');
  assert.equal(page.document.querySelector('header a.lang'), null, 'no link that would lose the input');
  const button = form.querySelector('button.lang')!;
  const fields = Object.fromEntries(form.querySelectorAll('input[type=hidden]').map((input) => [input.getAttribute('name')!, input.getAttribute('value') ?? '']));
  return { action: form.getAttribute('action')!, button: { name: button.getAttribute('name')!, value: button.getAttribute('value')! }, fields };
}

describe('the language switch on pages reached by a form post', () => {
  let app: TestApp;
  const citizens = async () => Number((await app.container.db.knex('citizens').count<{ c: string }[]>('* as c'))[0]!.c);

  before(async () => {
    app = await startTestApp();
    await seedSandbox(app.container, applicant);
  });
  after(async () => app.stop());

  it('on the application form: re-renders it in the other language, sends back the input but never the password', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    const first = switchForm(form);
    assert.equal(first.action, '/apply?lang=zh-CN');
    assert.equal(first.fields.accept, 'yes', 'the form after the notice is posted again, accepted');
    const chinese = await browser.submit(form, 'header form.lang-form', {}, first.button);
    assert.ok(isPage(chinese));
    assert.equal(chinese.status, 200);
    assert.equal(chinese.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.ok(chinese.document.querySelector('form[action="/apply/submit"]'), 'still the details form');

    // Sent with a mistake (no birth date), then switched back: the input stays, the password does not.
    const before = await citizens();
    const refused = await browser.submit(chinese, 'form[action="/apply/submit"]', { document_type: applicant.documentType, document_number: applicant.documentNumber, name: applicant.name, birth_date: '', password: applicant.password });
    assert.ok(isPage(refused));
    assert.equal(refused.status, 400);
    const again = switchForm(refused);
    assert.equal(again.action, '/apply/submit?lang=en');
    assert.equal(again.fields.name, applicant.name);
    assert.equal(again.fields.document_number, applicant.documentNumber);
    assert.ok(!('password' in again.fields), 'the password is never sent back');
    const english = await browser.submit(refused, 'header form.lang-form', {}, again.button);
    assert.ok(isPage(english));
    assert.equal(english.status, 200);
    assert.equal(english.document.querySelector('html')!.getAttribute('lang'), 'en');
    assert.equal(english.document.querySelector('#name')!.getAttribute('value'), applicant.name, 'the input stays');
    assert.equal(english.document.querySelector('#password')!.getAttribute('value'), undefined);
    assert.equal(english.document.querySelector('[role=alert]'), null, 'nothing was checked, so no errors');
    assert.equal(await citizens(), before);

    // The choice is remembered: the next page, reached by a link, is in English too.
    const home = await browser.navigate('/');
    assert.ok(isPage(home));
    assert.equal(home.document.querySelector('html')!.getAttribute('lang'), 'en');
  });

  it('acts on nothing when a complete application arrives with the switch', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const notice = await browser.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await browser.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    const before = await citizens();
    const typed = { document_type: applicant.documentType, document_number: applicant.documentNumber, name: applicant.name, birth_date: applicant.birthDate, password: applicant.password };
    const switched = await browser.submit(form, 'form[action="/apply/submit"]', typed, { name: '_switch_lang', value: 'zh-CN' });
    assert.ok(isPage(switched));
    assert.equal(switched.status, 200);
    assert.equal(switched.document.querySelector('html')!.getAttribute('lang'), 'zh-CN');
    assert.equal(switched.document.querySelector('#password')!.getAttribute('value'), undefined, 'the password is never echoed');
    assert.equal(await citizens(), before, 'switching language applies for nothing');
  });

  it('on the recovery form after an error: re-renders it in the other language and starts no recovery', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const page = await browser.navigate('/recover');
    assert.ok(isPage(page));
    assert.equal(page.document.querySelector('header a.lang')!.getAttribute('href'), '/recover?lang=zh-CN', 'reached by a link: a link');
    const refused = await browser.submit(page, 'form[action="/recover"]', { cyberspace_id: 'ABCD-EFGH', name: applicant.name, password: 'a new memorable phrase' });
    assert.ok(isPage(refused));
    assert.equal(refused.status, 400);
    const requests = async () => Number((await app.container.db.knex('recovery_requests').count<{ c: string }[]>('* as c'))[0]!.c);
    const before = await requests();
    const form = switchForm(refused);
    assert.ok(!('password' in form.fields));
    const switched = await browser.submit(refused, 'header form.lang-form', {}, form.button);
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
    assert.equal(page.document.querySelector('header form.lang-form'), null);
    assert.equal(page.document.querySelector('header a.lang')!.getAttribute('href'), '/developers?lang=zh-CN');
  });
});
