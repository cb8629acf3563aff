// Minors and guardians (docs/minors-and-guardians.md), through the HTML forms a citizen uses
// and, for the 18th birthday, the guardianship service with an injected clock:
// - under 14, only a signed-in adult guardian applies, from their dashboard; the child is linked;
// - 14 to 17, the minor names a guardian and the account stays pending — no ISP can be reached —
//   until that guardian approves it from their own session;
// - a guardian is an adult with an active cyberspace ID and not the minor, whom the identity
//   authority confirms as the minor's guardian (test/apply/guardian-confirmation.test.ts has
//   the refusals);
// - while the link lasts the guardian sees and revokes the ward's services and approves each
//   new one; a refusal stands; at 18 the link ends by itself.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeUrl } from '../support/flow.js';
import { applyInBrowser, fieldErrors, issuedId, seedSandbox, signInToAccount, type Applicant } from '../support/citizen-pages.js';
import { createClient } from '../support/factories.js';
import { adultWithIdentity, confirmGuardianOf, type AdultWithIdentity } from '../support/guardians.js';
import type { Credentials } from '../support/flow.js';
import { assertAccessTokenDead, assertRefreshTokenDead, redeem, type TestClient } from '../support/tokens.js';
import { beijingMidnight, birthDateYearsAgo, mainText, personAged, visitIsp } from '../support/identities.js';
import { createGuardianship } from '../../src/services/guardianship.js';
import { createConnectionQueries } from '../../src/queries/connections.js';
import { formatForReading, generateCyberspaceId } from '../../src/ids/cyberspace-id.js';

const EN = { 'accept-language': 'en' };
const PASSWORD = 'a long memorable phrase';

describe('minors and guardians', () => {
  let app: TestApp;
  let homework: TestClient; // the ISP every ward tries first
  let games: TestClient; // a second ISP, for refusals

  const englishBrowser = () => new Browser(app.url, EN);
  const citizenRow = async (cyberspaceId: string) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
  const citizenCount = () => app.container.citizenQueries.countCitizens();

  /** Signs a citizen in to their dashboard in a browser of their own. */
  async function signedIn<T extends { cyberspace_id: string; password: string }>(created: T) {
    const browser = englishBrowser();
    const dashboard = await signInToAccount(browser, created.cyberspace_id, created.password);
    assert.equal(dashboard.status, 200);
    return { ...created, browser };
  }

  /** An adult guardian who applied with a sandbox identity, signed in to their dashboard. */
  const adultGuardian = async () => signedIn(await adultWithIdentity(app.container));

  /**
   * A 14–17-year-old who applies through the forms naming a guardian: one the authority
   * confirms as theirs, or just a cyberspace ID (for the refusals that come before asking).
   */
  async function minorApplies(guardian: AdultWithIdentity | string, years = 15): Promise<{ page: Page; applicant: Applicant }> {
    const identity = personAged(years, '少年乙');
    await seedSandbox(app.container, identity);
    if (typeof guardian !== 'string') await confirmGuardianOf(app.container, guardian, identity);
    const guardianId = typeof guardian === 'string' ? guardian : guardian.cyberspace_id;
    const applicant: Applicant = { ...identity, password: PASSWORD, guardian: guardianId };
    return { page: await applyInBrowser(englishBrowser(), applicant), applicant };
  }

  /** A ward aged 15 whose account the guardian has approved (through the guardian's dashboard). */
  async function approvedWard(guardian: Awaited<ReturnType<typeof adultGuardian>>) {
    const { page } = await minorApplies(guardian);
    const cyberspaceId = issuedId(page);
    const ward = await citizenRow(cyberspaceId);
    await guardianDecides(guardian.browser, `form[action="/account/wards/${ward.id}/approve"]`);
    assert.equal((await citizenRow(cyberspaceId)).status, 'active');
    return { cyberspace_id: cyberspaceId, password: PASSWORD, row: ward };
  }

  /** Opens the guardian's guardianship page and submits one of its forms. */
  async function guardianDecides(browser: Browser, selector: string, button?: { name: string; value: string }): Promise<Page> {
    const dashboard = await browser.navigate('/account/guardianship');
    assert.ok(isPage(dashboard));
    const result = await browser.submit(dashboard, selector, {}, button);
    assert.ok(isPage(result));
    assert.equal(result.status, 200, mainText(result));
    return result;
  }

  /** The child application: the privacy notice about the child's data, accepted, then the form. */
  async function childForm(browser: Browser): Promise<Page> {
    const notice = await browser.navigate('/account/children/apply');
    assert.ok(isPage(notice));
    assert.equal(notice.status, 200);
    const form = await browser.submit(notice, 'form[action="/account/children/apply/form"]', { accept: 'yes' });
    assert.ok(isPage(form));
    return form;
  }

  /** The guardianship page of the dashboard (the minors in one's care). */
  async function dashboardOf(browser: Browser): Promise<Page> {
    const page = await browser.navigate('/account/guardianship');
    assert.ok(isPage(page));
    assert.equal(page.status, 200);
    return page;
  }

  before(async () => {
    // Every scenario applies through the form from the same address: more than one hour's limit.
    app = await startTestApp({ configure: (config) => { config.rateLimit.applicationsPerAddressPerWindow = 200; } });
    homework = await createClient(app.container, { name: 'Homework Helper', redirectUris: ['https://homework.example/callback'] });
    games = await createClient(app.container, { name: 'Game World', redirectUris: ['https://games.example/callback'] });
  });
  after(async () => app.stop());

  describe('a child under 14: only a signed-in guardian applies, from the dashboard', () => {
    it('creates an active child account linked to the guardian', async () => {
      const guardian = await adultGuardian();
      const dashboard = await dashboardOf(guardian.browser);
      const link = dashboard.document.querySelector('a[href="/account/children/apply"]');
      assert.ok(link, 'the dashboard of an adult offers to apply for a child');
      const notice = await guardian.browser.navigate('/account/children/apply');
      assert.ok(isPage(notice));
      assert.match(notice.document.querySelector('h1')!.text, /how we handle your child's data/);
      const unaccepted = await guardian.browser.submit(notice, 'form[action="/account/children/apply/form"]', {});
      assert.ok(isPage(unaccepted));
      assert.equal(unaccepted.status, 400, 'the notice must be accepted');
      const form = await childForm(guardian.browser);
      assert.equal(form.status, 200);
      assert.equal(form.document.querySelector('h1')!.text.trim(), "Your child's identity document");
      assert.match(form.document.querySelector('label[for=name]')!.text, /Your child's name/);
      assert.equal(form.document.querySelector('input[name=guardian]'), null, 'the guardian is the signed-in citizen, not a field');

      const child = personAged(9, '小孩丙');
      await seedSandbox(app.container, child);
      await confirmGuardianOf(app.container, guardian, child);
      const done = await guardian.browser.submit(form, 'form[action="/account/children/apply"]', {
        document_type: child.documentType, document_number: child.documentNumber, name: child.name, birth_date: child.birthDate, password: PASSWORD,
      });
      assert.ok(isPage(done));
      assert.equal(done.status, 201, mainText(done));
      assert.match(mainText(done), /linked to your account/);
      const childId = issuedId(done);
      const row = await citizenRow(childId);
      assert.equal(row.status, 'active', 'a child applied for by the guardian needs no further approval');
      assert.equal(row.guardian_id, guardian.citizen.id, 'the child is linked to the guardian who applied');
      assert.equal(row.assurance_level, 'document_verified');

      const after = await dashboardOf(guardian.browser);
      const ward = after.document.querySelector(`.ward[data-ward-id="${row.id}"]`);
      assert.ok(ward, 'the child is listed among the minors in the guardian’s care');
      assert.ok(ward.text.includes(formatForReading(childId)));

      // The child's first service waits for the guardian too.
      const visit = await visitIsp(englishBrowser(), homework, { cyberspace_id: childId, password: PASSWORD });
      assert.equal(visit.code, null);
      assert.match(mainText(visit.page!), /guardian must approve/i);
    });

    it('redirects a request without an account session to /account/login and creates nothing', async () => {
      const browser = englishBrowser();
      const get = await browser.request('/account/children/apply');
      assert.equal(get.status, 303);
      assert.equal(new URL(get.headers.get('location')!, app.url).pathname, '/account/login');

      // A well-formed post (valid CSRF token for this browser) is redirected the same way.
      const login = await browser.navigate('/account/login');
      assert.ok(isPage(login));
      const csrf = login.document.querySelector('input[name=_csrf]')!.getAttribute('value')!;
      const child = personAged(8, '小孩丁');
      await seedSandbox(app.container, child);
      const before = await citizenCount();
      const post = await browser.request('/account/children/apply', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, notice: 'accepted', document_type: child.documentType, document_number: child.documentNumber, name: child.name, birth_date: child.birthDate, password: PASSWORD }),
      });
      assert.equal(post.status, 303);
      assert.equal(new URL(post.headers.get('location')!, app.url).pathname, '/account/login');
      assert.equal(await citizenCount(), before);
    });

    it('refuses a guardian who is not an adult, and a guardian applying for someone 14 or older', async () => {
      const teen = await signedIn(await app.container.citizens.createTestCitizen({ birthDate: birthDateYearsAgo(16) })); // a signed-in 16-year-old
      const child = personAged(10, '小孩戊');
      await seedSandbox(app.container, child);
      const fields = { document_type: child.documentType, document_number: child.documentNumber, name: child.name, birth_date: child.birthDate, password: PASSWORD };
      const guardian = await adultGuardian();
      const older = personAged(15, '少年己');
      await seedSandbox(app.container, older);
      const before = await citizenCount();

      const form = await childForm(teen.browser);
      assert.ok(isPage(form));
      const refused = await teen.browser.submit(form, 'form[action="/account/children/apply"]', fields);
      assert.ok(isPage(refused));
      assert.equal(refused.status, 400);
      assert.match(fieldErrors(refused).join('\n'), /cannot act as a guardian/);

      const form2 = await childForm(guardian.browser);
      assert.ok(isPage(form2));
      const tooOld = await guardian.browser.submit(form2, 'form[action="/account/children/apply"]', {
        document_type: older.documentType, document_number: older.documentNumber, name: older.name, birth_date: older.birthDate, password: PASSWORD,
      });
      assert.ok(isPage(tooOld));
      assert.equal(tooOld.status, 400);
      assert.match(fieldErrors(tooOld).join('\n'), /only for children under 14/);
      assert.equal(await citizenCount(), before, 'nothing was written');
    });
  });

  describe('14 to 17: the minor applies naming a guardian, and waits for them', () => {
    it('stays pending — no ISP can be reached — until the guardian approves from their own session', async () => {
      const guardian = await adultGuardian();
      const { page } = await minorApplies(guardian);
      assert.equal(page.status, 201, mainText(page));
      assert.match(mainText(page), /guardian must approve/);
      const minor: Credentials = { cyberspace_id: issuedId(page), password: PASSWORD };
      const row = await citizenRow(minor.cyberspace_id);
      assert.equal(row.status, 'pending_guardian');
      assert.equal(row.guardian_id, guardian.citizen.id);

      // At an ISP: the pending message, and no code.
      const visit = await visitIsp(englishBrowser(), homework, minor);
      assert.equal(visit.callback, undefined, 'the browser is not sent back to the ISP');
      assert.equal(visit.page!.status, 400);
      assert.match(visit.page!.document.querySelector('#login-error')!.text, /waiting for your guardian’s approval/);

      // The minor cannot approve themselves, nor can another adult.
      const minorBrowser = englishBrowser();
      const minorDashboard = await signInToAccount(minorBrowser, minor.cyberspace_id, minor.password);
      assert.match(minorDashboard.document.querySelector('#account-status')!.text, /Waiting for your guardian/);
      const stranger = await adultGuardian();
      for (const [browser, refusal] of [[minorBrowser, 403], [stranger.browser, 404]] as const) {
        const dashboard = await dashboardOf(browser);
        const response = await browser.request(`/account/wards/${row.id}/approve`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: dashboard.document.querySelector('input[name=_csrf]')!.getAttribute('value')! }),
        });
        assert.equal(response.status, refusal, 'a pending minor is not an active guardian; a stranger has no such ward');
        await response.body?.cancel();
      }
      assert.equal((await citizenRow(minor.cyberspace_id)).status, 'pending_guardian');

      // The guardian sees the pending account on their dashboard and approves it.
      const guardianDashboard = await dashboardOf(guardian.browser);
      assert.match(guardianDashboard.document.querySelector(`.ward[data-ward-id="${row.id}"]`)!.text, /Waiting for your approval/);
      const approved = await guardianDecides(guardian.browser, `form[action="/account/wards/${row.id}/approve"]`);
      assert.match(mainText(approved), /Done/);
      const after = await citizenRow(minor.cyberspace_id);
      assert.equal(after.status, 'active');
      assert.ok(after.guardian_approved_at);

      // Now the minor signs in at the ISP (and meets the guardian's approval of the new service).
      const again = await visitIsp(englishBrowser(), homework, minor);
      assert.ok(again.page, 'the minor stays on our pages (the new service needs approval)');
      assert.equal(again.page.document.querySelector('#login-error'), null, 'the sign-in itself is accepted');
      assert.match(mainText(again.page), /guardian must approve this service/);
    });

    it('the guardian may refuse the pending account instead: withdrawn, identity data shredded, the minor may apply again', async () => {
      const guardian = await adultGuardian();
      const { page, applicant } = await minorApplies(guardian);
      const minor: Credentials = { cyberspace_id: issuedId(page), password: PASSWORD };
      const row = await citizenRow(minor.cyberspace_id);
      const minorBrowser = englishBrowser();
      await signInToAccount(minorBrowser, minor.cyberspace_id, minor.password);

      // Only that guardian, and only while the account waits.
      const stranger = await adultGuardian();
      const strangerPage = await dashboardOf(stranger.browser);
      const forged = await stranger.browser.request(`/account/wards/${row.id}/refuse`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: strangerPage.document.querySelector('input[name=_csrf]')!.getAttribute('value')! }),
      });
      assert.equal(forged.status, 404);
      await forged.body?.cancel();
      assert.equal((await citizenRow(minor.cyberspace_id)).status, 'pending_guardian');

      const ward = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${row.id}"]`)!;
      assert.match(ward.text, /Refusing withdraws the application/);
      const refused = await guardianDecides(guardian.browser, `form[action="/account/wards/${row.id}/refuse"]`);
      assert.match(mainText(refused), /The application was refused/);
      const after = await citizenRow(minor.cyberspace_id);
      assert.equal(after.status, 'cancelled');
      for (const column of ['data_key', 'name_ciphertext', 'document_number_ciphertext', 'birth_date_ciphertext', 'document_blind_index', 'guardian_id'] as const) {
        assert.equal(after[column], null, `${column} is shredded`);
      }
      assert.equal((await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${row.id}"]`), null, 'no longer in the guardian\'s care');
      const entries = await app.container.audit.listForCitizen(row.id, { limit: 50 });
      assert.ok(entries.some((e) => e.type === 'guardian.refused' && e.actor === 'guardian' && !e.clientId), 'the refusal is audited');
      const signedOut = await minorBrowser.request('/account');
      assert.equal(signedOut.status, 303, 'the minor\'s session ended');
      await signedOut.body?.cancel();
      await assert.rejects(app.container.guardianship.approveAccount(guardian.citizen, row.id), /no such ward/, 'nothing left to approve');

      // The document is free again: the minor applies anew (here naming the same guardian).
      const again = await applyInBrowser(englishBrowser(), applicant);
      assert.equal(again.status, 201, mainText(again));
      assert.notEqual(issuedId(again), minor.cyberspace_id, 'a new cyberspace ID; the refused one is never reissued');
    });

    it('an approved account cannot be refused', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      await assert.rejects(app.container.guardianship.refuseAccount(guardian.citizen, ward.row.id), /nothing to refuse/);
      assert.equal((await citizenRow(ward.cyberspace_id)).status, 'active');
    });

    it('refuses a guardian who is a minor, suspended, cancelled, unknown or not named; nothing is written', async () => {
      const teen = await app.container.citizens.createTestCitizen({ birthDate: birthDateYearsAgo(17) });
      const suspended = await app.container.citizens.createTestCitizen({ birthDate: '1975-06-01' });
      await app.container.lifecycle.suspendBySelf(suspended.citizen);
      const cancelled = await app.container.citizens.createTestCitizen({ birthDate: '1975-06-01' });
      await app.container.lifecycle.cancel(cancelled.citizen, cancelled.password);
      const before = await citizenCount();
      const cases: Array<[string, string, RegExp]> = [
        ['a 17-year-old', teen.cyberspace_id, /cannot act as a guardian/],
        ['a suspended adult', suspended.cyberspace_id, /cannot act as a guardian/],
        ['a cancelled adult', cancelled.cyberspace_id, /cannot act as a guardian/],
        ['an ID never issued', generateCyberspaceId(), /cannot act as a guardian/],
        ['no guardian', '', /must name their guardian/],
        ['a mistyped ID', `${teen.cyberspace_id.slice(0, -1)}${teen.cyberspace_id.endsWith('0') ? '1' : '0'}`, /not valid/],
      ];
      for (const [label, guardianId, message] of cases) {
        const { page } = await minorApplies(guardianId);
        assert.equal(page.status, 400, label);
        assert.match(fieldErrors(page).join('\n'), message, label);
      }
      assert.equal(await citizenCount(), before, 'nothing was written');
    });

    it('refuses the applicant as their own guardian (the same document), for minors and children alike', async () => {
      const adult = { documentType: 'passport' as const, documentNumber: 'E23456781', name: 'Self Guard', birthDate: '1979-09-09' };
      await seedSandbox(app.container, adult);
      const applied = await applyInBrowser(englishBrowser(), { ...adult, password: PASSWORD });
      assert.equal(applied.status, 201);
      const adultId = issuedId(applied);
      const before = await citizenCount();

      // The same passport, with a minor's birth date, naming its own holder as guardian.
      const asMinor = await applyInBrowser(englishBrowser(), { ...adult, birthDate: birthDateYearsAgo(15), password: PASSWORD, guardian: adultId });
      assert.equal(asMinor.status, 400);
      const errors = fieldErrors(asMinor).join('\n');
      // Refused either way, never with "already exists": the identity is checked before anything
      // is said about other accounts (and this birth date does not match the document's).
      assert.match(errors, /cannot act as a guardian|could not confirm/);
      assert.doesNotMatch(errors, /already exists/);

      // The same passport, applied for as a "child" from its holder's own dashboard.
      const browser = englishBrowser();
      await signInToAccount(browser, adultId, PASSWORD);
      const form = await childForm(browser);
      const asChild = await browser.submit(form, 'form[action="/account/children/apply"]', {
        document_type: adult.documentType, document_number: adult.documentNumber, name: adult.name, birth_date: birthDateYearsAgo(9), password: PASSWORD,
      });
      assert.ok(isPage(asChild));
      assert.equal(asChild.status, 400);
      assert.match(fieldErrors(asChild).join('\n'), /cannot act as a guardian|could not confirm/);
      assert.doesNotMatch(fieldErrors(asChild).join('\n'), /already exists/);
      assert.equal(await citizenCount(), before);
    });
  });

  describe('while the link lasts', () => {
    it('a new ISP connection of the ward waits for the guardian; once approved, consent proceeds and the ISP gets a code', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      const wardBrowser = englishBrowser();

      const first = await visitIsp(wardBrowser, homework, ward);
      assert.equal(first.code, null, 'no code before the guardian approves');
      assert.equal(first.page!.status, 200);
      assert.match(mainText(first.page!), /guardian must approve this service/);
      assert.match(mainText(first.page!), /Homework Helper/);
      // Back to the ISP: an answer it can tell from a cancel.
      const back = await wardBrowser.submit(first.page!, 'form[action$="/guardian"]');
      assert.ok(!isPage(back), 'back to the ISP');
      assert.equal(back.redirectedTo.searchParams.get('error'), 'access_denied');
      assert.equal(back.redirectedTo.searchParams.get('error_description'), 'guardian_approval_pending');
      assert.equal(back.redirectedTo.searchParams.get('state'), first.state);

      // The guardian sees the request, and nobody else can decide it.
      const pending = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"] .pending-connection`);
      assert.ok(pending, 'the guardian’s dashboard lists the pending connection');
      assert.match(pending.text, /Wants to connect to Homework Helper/);
      // The guardian sees who the ward is (decrypted for them, audited) and exactly what the ISP gets.
      const wardBox = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"]`)!;
      assert.equal(wardBox.querySelector('.ward-name')!.text.trim(), '少年乙, 15 years old');
      assert.match(wardBox.querySelector('.ward-receives')!.text, /Homework Helper receives about 少年乙: a cyberspace ID for this service only, how they signed in, how strongly they signed in\./);
      const decrypted = await app.container.audit.listForCitizen(ward.row.id, { limit: 50 });
      assert.ok(decrypted.some((e) => e.type === 'identity.decrypted' && (e.details as { purpose?: string }).purpose === 'guardian_view'), 'the guardian view is audited');
      const stranger = await adultGuardian();
      const strangerPage = await dashboardOf(stranger.browser);
      const forged = await stranger.browser.request(`/account/wards/${ward.row.id}/connections/${homework.client_id}/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: strangerPage.document.querySelector('input[name=_csrf]')!.getAttribute('value')!, decision: 'approved' }),
      });
      assert.equal(forged.status, 404);
      await forged.body?.cancel();

      // Trying again before the guardian decides changes nothing.
      const retry = await visitIsp(wardBrowser, homework, ward);
      assert.equal(retry.code, null);
      assert.match(mainText(retry.page!), /guardian must approve this service/);

      await guardianDecides(guardian.browser, `form[action="/account/wards/${ward.row.id}/connections/${homework.client_id}/decide"]`, { name: 'decision', value: 'approved' });
      const approved = await visitIsp(wardBrowser, homework, ward);
      assert.ok(approved.code, `the ISP gets a code once the guardian approved: ${approved.page ? mainText(approved.page) : ''}`);
      const tokens = await redeem(app.url, homework, approved);
      assert.notEqual(decodeJwt(tokens.id_token).sub, ward.cyberspace_id, 'the ISP sees its pairwise ID');
      const listed = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"]`)!;
      assert.equal(listed.querySelector('.pending-connection'), null, 'nothing left to decide');
    });

    it('answers guardian_approval_pending only where a guardian decision is pending', async () => {
      const adult = await app.container.citizens.createTestCitizen({ birthDate: '1980-04-02' });
      const browser = englishBrowser();
      const { url } = authorizeUrl(app.url, homework, {});
      const login = await browser.navigate(url.href);
      assert.ok(isPage(login));
      const consentPage = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: adult.cyberspace_id, password: adult.password });
      assert.ok(isPage(consentPage) && consentPage.document.querySelector('form[action$="/confirm"]'), 'the consent page');
      const action = consentPage.document.querySelector('form[action$="/confirm"]')!.getAttribute('action')!.replace(/\/confirm$/, '/guardian');
      const forged = await browser.request(action, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: consentPage.document.querySelector('input[name=_csrf]')!.getAttribute('value')! }),
      });
      assert.equal(forged.status, 400, 'an adult’s sign-in has no guardian answer to give');
      await forged.body?.cancel();
      const cancelled = await browser.submit(consentPage, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'deny' });
      assert.ok(!isPage(cancelled));
      assert.equal(cancelled.redirectedTo.searchParams.get('error'), 'access_denied');
      assert.notEqual(cancelled.redirectedTo.searchParams.get('error_description'), 'guardian_approval_pending', 'a refusal reads differently');
    });

    it('a refused connection stays refused', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      const wardBrowser = englishBrowser();
      const asked = await visitIsp(wardBrowser, games, ward);
      assert.match(mainText(asked.page!), /guardian must approve this service/);

      await guardianDecides(guardian.browser, `form[action="/account/wards/${ward.row.id}/connections/${games.client_id}/decide"]`, { name: 'decision', value: 'refused' });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const visit = await visitIsp(wardBrowser, games, ward);
        assert.equal(visit.code, null, 'the ISP gets no code');
        assert.match(mainText(visit.page!), /did not approve Game World/);
        const back = await wardBrowser.submit(visit.page!, 'form[action$="/guardian"]');
        assert.ok(!isPage(back));
        assert.equal(back.redirectedTo.searchParams.get('error_description'), 'guardian_refused');
      }
      const listed = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"]`)!;
      assert.equal(listed.querySelector('.pending-connection'), null, 'asking again does not reopen the request');
    });

    it('the guardian sees the ward’s connected services; revoking one kills the ward’s tokens at that ISP', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      const wardBrowser = englishBrowser();
      const offline = { scope: 'openid offline_access', prompt: 'consent' };
      await visitIsp(wardBrowser, homework, ward, offline); // asks the guardian
      const asked = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"] .ward-receives`)!;
      assert.match(asked.text, /continued access while they are away, until you or they revoke it/, 'a refresh token is part of what the ISP receives');
      await guardianDecides(guardian.browser, `form[action="/account/wards/${ward.row.id}/connections/${homework.client_id}/decide"]`, { name: 'decision', value: 'approved' });
      const visit = await visitIsp(wardBrowser, homework, ward, offline);
      const tokens = await redeem(app.url, homework, visit);
      assert.ok(tokens.refresh_token, 'the ISP holds a refresh token for the ward');

      const listed = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"] .ward-connection`);
      assert.ok(listed, 'the guardian’s dashboard lists the ward’s connected service');
      assert.match(listed.text, /Homework Helper/);

      await guardianDecides(guardian.browser, `form[action="/account/wards/${ward.row.id}/connections/${homework.client_id}/revoke"]`);
      await assertRefreshTokenDead(app.url, homework, tokens.refresh_token);
      await assertAccessTokenDead(app.url, tokens.access_token);
      const after = (await dashboardOf(guardian.browser)).document.querySelector(`.ward[data-ward-id="${ward.row.id}"]`)!;
      assert.equal(after.querySelector('.ward-connection'), null);
      // The ward's own dashboard agrees, and reconnecting needs the guardian again.
      const wardOwn = englishBrowser();
      await signInToAccount(wardOwn, ward.cyberspace_id, ward.password);
      const wardServices = await wardOwn.navigate('/account/services');
      assert.ok(isPage(wardServices) && wardServices.document.querySelector('table.connections, p'), 'the ward’s services page');
      assert.equal(wardServices.document.querySelector(`tr.connection[data-client-id="${homework.client_id}"]`), null);
      const again = await visitIsp(wardBrowser, homework, ward, offline);
      assert.equal(again.code, null);
      assert.match(mainText(again.page!), /guardian must approve this service/);
    });

    it('a suspended guardian cannot approve a connection', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      await visitIsp(englishBrowser(), games, ward);
      await app.container.lifecycle.suspendBySelf(await citizenRow(guardian.cyberspace_id));
      const dashboard = await dashboardOf(guardian.browser);
      const response = await guardian.browser.submit(dashboard, `form[action="/account/wards/${ward.row.id}/connections/${games.client_id}/decide"]`, {}, { name: 'decision', value: 'approved' });
      assert.ok(isPage(response));
      assert.equal(response.status, 403);
      const approval = await createConnectionQueries(app.container.db.knex).findApproval(ward.row.id, games.client_id);
      assert.equal(approval?.status, 'pending');
    });
  });

  describe('at 18 the link ends by itself', () => {
    it('ends on the 18th birthday in Beijing: link inactive, guardian_id cleared, connections no longer need approval', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      const { birthDate } = await app.container.vault.open(ward.row.id, await citizenRow(ward.cyberspace_id), ['birthDate'], 'test');
      const eighteenth = `${Number(birthDate!.slice(0, 4)) + 18}${birthDate!.slice(4)}`;
      let clock = new Date(beijingMidnight(eighteenth).getTime() - 1); // 23:59:59.999 the day before, in Beijing
      const guardianship = createGuardianship({
        citizens: app.container.citizenQueries,
        connections: createConnectionQueries(app.container.db.knex),
        connectionService: app.container.connections,
        vault: app.container.vault,
        authority: app.container.identityAuthority,
        transaction: (work) => app.container.db.knex.transaction(work),
        now: () => clock,
      });
      const current = () => citizenRow(ward.cyberspace_id);

      assert.equal(await guardianship.linkActive(await current()), true, 'still 17 the evening before');
      assert.equal(await guardianship.checkConnection(await current(), games.client_id, 'openid'), 'pending');
      assert.equal((await current()).guardian_id, guardian.citizen.id);

      clock = beijingMidnight(eighteenth);
      assert.equal(await guardianship.checkConnection(await current(), games.client_id, 'openid'), 'allowed', 'an adult needs nobody’s approval');
      assert.equal((await current()).guardian_id, null, 'the link is ended in the database');
      assert.equal(await guardianship.linkActive(await current()), false);
      assert.deepEqual(await guardianship.wards(await citizenRow(guardian.cyberspace_id)), []);

      // The running service sees the ended link too: no ward on the dashboard, no approval needed.
      const dashboard = await dashboardOf(guardian.browser);
      assert.equal(dashboard.document.querySelector(`.ward[data-ward-id="${ward.row.id}"]`), null);
      const visit = await visitIsp(englishBrowser(), games, ward);
      assert.ok(visit.code, 'the former ward connects without a guardian');
    });

    it('ends when the guardian’s dashboard is next built after the birthday', async () => {
      const guardian = await adultGuardian();
      const ward = await approvedWard(guardian);
      const fourYearsLater = createGuardianship({
        citizens: app.container.citizenQueries,
        connections: createConnectionQueries(app.container.db.knex),
        connectionService: app.container.connections,
        vault: app.container.vault,
        authority: app.container.identityAuthority,
        transaction: (work) => app.container.db.knex.transaction(work),
        now: () => new Date(Date.now() + 4 * 366 * 86_400_000),
      });
      assert.deepEqual(await fourYearsLater.wards(await citizenRow(guardian.cyberspace_id)), []);
      assert.equal((await citizenRow(ward.cyberspace_id)).guardian_id, null);
    });
  });
});
