// No plaintext personal data anywhere (DESIGN.md "Privacy by construction"): seed known
// identities, drive every path a citizen and an ISP take through the real HTTP interface —
// apply (also a refused, an invalid and a duplicate application), sign in at an ISP with login
// and consent, redeem the code, userinfo, introspection, the dashboard, wrong passwords,
// password recovery (also a failed one), cancellation, recovery codes shown and used — then
// dump every PostgreSQL table, every Redis key and the captured logs, and everything the ISP
// received, and find none of the names, document numbers (normalised and as typed), birth dates
// (YYYY-MM-DD and YYYYMMDD) or recovery codes — nor the network address and User-Agent the
// sign-ins came from, which only the authentication log keeps, encrypted (behind a trusted
// proxy, so the address arrives in X-Forwarded-For).
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox, signInToAccount, type Applicant } from '../support/citizen-pages.js';
import { authorizeUrl, exchangeCode, signIn } from '../support/flow.js';
import { introspect, userinfo } from '../support/tokens.js';
import { createClient } from '../support/factories.js';
import { startSmtpServer, startSmsGateway, type TestSmtpServer, type TestSmsGateway } from '../support/mail.js';
import {
  describeFindings, dumpPostgresSchema, dumpRedisPrefix, logSources, scanForPlaintext, type Needle, type Source,
} from '../support/privacy-scan.js';
import { Authenticator } from '../support/authenticator.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import { normalizeDocumentNumber } from '../../src/identity/documents.js';
import { OPERATOR_PASSWORD, bootstrapOperator, enrol, freshCode, type TestOperator } from '../support/operators.js';
import { apiAs } from '../support/admin-api.js';

/** A resident ID (or 2023 permanent residence card) number with a valid check character; `want` picks the check character. */
function withCheck(first6: string, birthDate: string, want?: string): string {
  for (let serial = 100; serial < 1000; serial += 1) {
    const first17 = `${first6}${birthDate.replaceAll('-', '')}${serial}`;
    const check = residentIdCheckCharacter(first17);
    if (!want || check === want) return first17 + check;
  }
  throw new Error('no serial gives that check character');
}

type Person = Applicant & {
  label: string;
  /** As the person types them into the forms. */
  typedNumber: string;
  typedName: string;
  cyberspaceId?: string;
};

const p1Number = withCheck('110105', '1984-07-19', 'X');
const p5Number = withCheck('936250', '1976-02-29');
const p6Number = withCheck('310104', '2001-09-30');

const people: Person[] = [
  { label: 'P1 (resident ID, check X)', documentType: 'resident_id', documentNumber: p1Number, name: '司马相如', birthDate: '1984-07-19',
    typedNumber: `${p1Number.slice(0, 6)} ${p1Number.slice(6, 14)} ${p1Number.slice(14).toLowerCase()}`, typedName: '司马相如', password: 'the river runs east of the hills' },
  { label: 'P2 (passport, Latin name)', documentType: 'passport', documentNumber: 'E91827364', name: 'Zoë Müller-Lindqvist', birthDate: '1979-03-27',
    typedNumber: 'e9182 7364', typedName: 'Zoe\u0308 Mu\u0308ller-Lindqvist', password: 'a harbour full of quiet boats' },
  { label: 'P3 (HK/Macao permit, dotted name)', documentType: 'hk_macao_permit', documentNumber: 'M1234567890', name: '阿依夏木·托合提', birthDate: '1992-11-05',
    typedNumber: 'm12345-67890', typedName: '阿依夏木・托合提', password: 'lanterns over the night market' },
  { label: 'P4 (Taiwan permit)', documentType: 'taiwan_permit', documentNumber: '1029384756', name: '许雅婷', birthDate: '1990-02-14',
    typedNumber: '10293 84756', typedName: '许雅婷', password: 'tea fields after the spring rain' },
  { label: 'P5 (permanent residence card, 2023)', documentType: 'foreign_permanent_resident', documentNumber: p5Number, name: 'Jean-Baptiste Okonkwo', birthDate: '1976-02-29',
    typedNumber: `${p5Number.slice(0, 6)}-${p5Number.slice(6, 14)}-${p5Number.slice(14)}`, typedName: 'Jean-Baptiste Okonkwo', password: 'every leap year brings a birthday' },
  { label: 'P6 (resident ID, cancels)', documentType: 'resident_id', documentNumber: p6Number, name: '上官婉清', birthDate: '2001-09-30',
    typedNumber: p6Number, typedName: '上官婉清', password: 'goodbye to the online identity' },
];
const [p1, p2, p3, p4, p5, p6] = people as [Person, Person, Person, Person, Person, Person];
/** In the sandbox, but only ever applied for with the wrong name: refused, so never a citizen. */
const p7: Person = { label: 'P7 (sandbox only, refused)', documentType: 'taiwan_permit', documentNumber: '5647382910', name: '钟离雪', birthDate: '1987-04-23',
  typedNumber: '56473-82910', typedName: '钟离雪', password: 'never gets an account at all' };

/** Typed by someone but never verified: must not be kept either. */
const refused = {
  wrongName: '钟离雪梅', // P7's document with another name (the authority says no)
  invalidNumber: `${p1Number.slice(0, 17)}${p1Number.endsWith('X') ? '7' : 'X'}`, // bad check character
  invalidName: '欧阳修远',
  wrongBirthDate: '1990-02-15', // P4's recovery attempt with the wrong date
  newPassword: 'a brand new phrase for recovery',
};

function needles(): Needle[] {
  const list: Needle[] = [];
  for (const p of [...people, p7]) {
    list.push({ label: `${p.label} name`, value: p.name });
    if (p.typedName !== p.name) list.push({ label: `${p.label} name as typed`, value: p.typedName });
    for (const part of p.name.split(/[·\s-]/u).filter((part) => /\p{Script=Han}{2,}/u.test(part))) {
      if (part !== p.name) list.push({ label: `${p.label} name part`, value: part });
    }
    list.push({ label: `${p.label} document number`, value: p.documentNumber });
    list.push({ label: `${p.label} document number as typed`, value: p.typedNumber });
    list.push({ label: `${p.label} birth date`, value: p.birthDate });
    list.push({ label: `${p.label} birth date YYYYMMDD`, value: p.birthDate.replaceAll('-', '') });
  }
  list.push({ label: 'refused application name', value: refused.wrongName });
  list.push({ label: 'invalid application name', value: refused.invalidName });
  list.push({ label: 'invalid application number', value: refused.invalidNumber });
  list.push({ label: 'failed recovery birth date', value: refused.wrongBirthDate });
  list.push({ label: 'failed recovery birth date YYYYMMDD', value: refused.wrongBirthDate.replaceAll('-', '') });
  return list;
}

describe('no plaintext personal data in the database, Redis, logs or anything sent to an ISP', function () {
  this.timeout(180_000);
  let app: TestApp;
  const isp: Source[] = []; // every response body the ISP received
  const received = (where: string, body: unknown) => isp.push({ where: `isp ${where}`, text: typeof body === 'string' ? body : JSON.stringify(body) });
  const pages: Record<string, Page> = {};
  let smtp: TestSmtpServer;
  let sms: TestSmsGateway;
  // A citizen's own address and number, sealed at rest: they may appear only as a message's recipient.
  const contactNeedles: Needle[] = [{ label: 'email address', value: 'p1.private@example.test' }, { label: 'phone number', value: '+8613912345678' }];
  // Where the citizens' browsers sign in from: the authentication log keeps both, encrypted only.
  const network = { 'x-forwarded-for': '203.0.113.45', 'user-agent': 'PrivacyProbeBrowser/7.3 (Plan9; rv:77) Probe/20261203', 'accept-language': 'en' };
  const networkNeedles: Needle[] = [{ label: 'client network address', value: network['x-forwarded-for'] }, { label: 'client User-Agent', value: network['user-agent'] }, { label: 'client User-Agent product', value: 'PrivacyProbeBrowser' }];
  const deliveredSources = (): Source[] => [
    ...smtp.delivered.map((mail) => ({ where: 'delivered email', text: mail.raw })),
    ...sms.received.map((request) => ({ where: 'delivered SMS', text: JSON.stringify(request.body) })),
  ];

  async function dumpEverything(): Promise<{ sources: Source[]; tables: string[]; rows: number; keys: string[] }> {
    const schema = app.container.config.databaseUrl ? app.schema : 'public';
    const pg = await dumpPostgresSchema(app.container.db.knex, schema);
    const redis = app.container.ephemeral.kind === 'redis'
      ? await dumpRedisPrefix((app.container.ephemeral as unknown as { redis: Redis }).redis, app.redisPrefix)
      : { sources: [], keys: [] };
    return { sources: [...pg.sources, ...redis.sources, ...logSources(app.logs), ...isp], tables: pg.tables, rows: pg.rows, keys: redis.keys };
  }

  before(async () => {
    smtp = await startSmtpServer();
    sms = await startSmsGateway();
    app = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url, TRUST_PROXY: 'true' } });
    for (const p of [...people, p7]) {
      await seedSandbox(app.container, { documentType: p.documentType, documentNumber: p.documentNumber, name: p.name, birthDate: p.birthDate });
    }
    // Sanity: the typed forms are what the form normalises to the seeded ones.
    for (const p of [...people, p7]) assert.equal(normalizeDocumentNumber(p.typedNumber), p.documentNumber, p.label);
  });
  after(async () => {
    await app?.stop();
    await smtp?.close();
    await sms?.close();
  });

  it('applies for every person through the HTML forms, as typed', async () => {
    for (const p of people) {
      const page = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...p, documentNumber: p.typedNumber, name: p.typedName });
      assert.equal(page.status, 201, `${p.label}: ${page.document.querySelector('main')?.text.trim().slice(0, 300)}`);
      p.cyberspaceId = issuedId(page);
    }
  });

  it('refuses a wrong name, an invalid number and a duplicate document', async () => {
    const browser = () => new Browser(app.url, { 'accept-language': 'en' });
    const wrong = await applyInBrowser(browser(), { ...p7, documentNumber: p7.typedNumber, name: refused.wrongName });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /could not confirm/);
    const invalid = await applyInBrowser(browser(), { ...p1, documentNumber: refused.invalidNumber, name: refused.invalidName, password: 'some other long phrase' });
    assert.equal(invalid.status, 400);
    const duplicate = await applyInBrowser(browser(), { ...p2, documentNumber: 'E9182-7364', name: p2.typedName, password: 'some other long phrase' });
    assert.equal(duplicate.status, 400);
    assert.match(duplicate.html, /already exists for this document/);
  });

  it('signs in at an ISP (login, consent), redeems the code, calls userinfo and introspection', async () => {
    const discovery = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    // Every scope an ISP may get without a legal basis: the verification results, not the person.
    const scope = discovery.scopes_supported.filter((s) => s !== 'identity' && s !== 'offline_access').join(' ');
    // Its back-channel logout endpoint refuses connections: a revocation leaves a pending
    // delivery in the logout outbox for the dump to scan.
    const client = await createClient(app.container, { name: 'Privacy ISP', scope, backchannelLogoutUri: 'http://127.0.0.1:9/backchannel-logout' });
    for (const p of [p1, p2, p5]) {
      const flow = await signIn(app.url, client, { cyberspace_id: p.cyberspaceId!, password: p.password }, { params: { scope }, browser: new Browser(app.url, network) });
      received(`redirect to the ISP (${p.label})`, flow.callback.href);
      assert.ok(flow.code, `${p.label}: ${flow.callback.href}`);
      const tokens = await exchangeCode(app.url, client, flow.code, flow.verifier);
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      received(`token response (${p.label})`, tokens.body);
      received(`ID token header (${p.label})`, decodeProtectedHeader(tokens.body.id_token!));
      received(`ID token payload (${p.label})`, decodeJwt(tokens.body.id_token!));
      if (tokens.body.access_token!.split('.').length === 3) received(`access token payload (${p.label})`, decodeJwt(tokens.body.access_token!));
      const info = await userinfo(app.url, tokens.body.access_token!);
      assert.equal(info.status, 200, JSON.stringify(info.body));
      received(`userinfo (${p.label})`, info.body);
      const introspection = await introspect(app.url, client, tokens.body.access_token!);
      assert.equal(introspection.status, 200);
      assert.equal(introspection.body.active, true);
      received(`introspection (${p.label})`, introspection.body);
    }
    await app.container.revocations.revokeClient(p5.cyberspaceId!, client.client_id);
    assert.equal((await app.container.logoutDeliveries.list({ clientId: client.client_id })).length, 1, 'a pending logout delivery is stored');
    // A wrong password at the ISP's sign-in page.
    const browser = new Browser(app.url, network);
    const login = await browser.navigate(authorizeUrl(app.url, client, { scope }).url.href);
    assert.ok(isPage(login));
    const failed = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: p4.cyberspaceId!, password: 'not the right password at all' });
    assert.ok(isPage(failed));
    assert.ok(failed.document.querySelector('form[action$="/login"]'), 'the sign-in form again');
  });

  it('opens the dashboard, refuses a wrong password, recovers a password, cancels an account', async () => {
    pages.dashboard = await signInToAccount(new Browser(app.url), p1.cyberspaceId!, p1.password);
    assert.equal(pages.dashboard.status, 200);
    const wrong = await signInToAccount(new Browser(app.url, network), p3.cyberspaceId!, 'definitely the wrong password');
    assert.equal(wrong.status, 400);

    // Recovery, as typed: P3 succeeds; P4 fails with the wrong birth date.
    const recover = async (p: Person, birthDate: string) => {
      const browser = new Browser(app.url, { 'accept-language': 'en' });
      const form = await browser.navigate('/recover');
      assert.ok(isPage(form));
      return browser.submit(form, 'form[action="/recover"]', {
        cyberspace_id: p.cyberspaceId!, document_type: p.documentType, document_number: p.typedNumber, name: p.typedName, birth_date: birthDate, password: refused.newPassword,
      });
    };
    const recovered = await recover(p3, p3.birthDate);
    assert.ok(!isPage(recovered) || recovered.url.includes('done=recovered'), 'recovery succeeded');
    assert.equal((await signInToAccount(new Browser(app.url), p3.cyberspaceId!, refused.newPassword)).status, 200);
    const mismatch = await recover(p4, refused.wrongBirthDate);
    assert.ok(isPage(mismatch));
    assert.equal(mismatch.status, 400);

    // P6 cancels: the identity is crypto-shredded.
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    await signInToAccount(browser, p6.cyberspaceId!, p6.password);
    const confirmation = await browser.navigate('/account/cancel');
    assert.ok(isPage(confirmation));
    const cancelled = await browser.submit(confirmation, 'form[action="/account/cancel"]', { password: p6.password, understood: 'yes' });
    assert.ok(isPage(cancelled));
    assert.equal(cancelled.status, 200);
    const row = await app.container.citizenQueries.findCitizenByCyberspaceId(p6.cyberspaceId!);
    assert.equal(row!.status, 'cancelled');
    assert.equal(row!.data_key, null);
  });

  // Recovery codes are secrets too: shown once to their owner, then kept only as keyed hashes.
  const recoveryCodes: string[] = [];
  it('turns on the second factor for P2, shows recovery codes, and signs in at an ISP with one', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    await signInToAccount(browser, p2.cyberspaceId!, p2.password);
    const enrol = await browser.navigate('/account/two-factor');
    assert.ok(isPage(enrol));
    const device = new Authenticator(enrol.document.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
    const shown = await browser.submit(enrol, 'form[action="/account/two-factor"]', { code: await device.code() });
    assert.ok(isPage(shown));
    recoveryCodes.push(...shown.document.querySelectorAll('#recovery-codes li').map((li) => li.text.trim()));
    assert.equal(recoveryCodes.length, 10);
    const client = await createClient(app.container, { name: 'Privacy ISP with a second factor' });
    const isp = new Browser(app.url, { 'accept-language': 'en' });
    const login = await isp.navigate(authorizeUrl(app.url, client).url.href);
    assert.ok(isPage(login));
    const step = await isp.submit(login, 'form[action$="/login"]', { cyberspace_id: p2.cyberspaceId!, password: p2.password });
    assert.ok(isPage(step));
    let result = await isp.submit(step, 'form[action$="/recovery-code"]', { recovery_code: recoveryCodes[0]! });
    if (isPage(result) && result.document.querySelector('form[action$="/confirm"]')) result = await isp.submit(result, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(result), 'signed in with the recovery code');
    received('redirect after a recovery code', result.redirectedTo.href);
    // A wrong one too, so a refused code has been through the logs as well.
    const again = new Browser(app.url, { 'accept-language': 'en' });
    const second = await again.submit((await again.navigate(authorizeUrl(app.url, client).url.href)) as Page, 'form[action$="/login"]', { cyberspace_id: p2.cyberspaceId!, password: p2.password });
    assert.ok(isPage(second));
    const refusedCode = await again.submit(second, 'form[action$="/recovery-code"]', { recovery_code: recoveryCodes[0]! });
    assert.ok(isPage(refusedCode) && refusedCode.status === 400);
  });

  it('delivers notices by email and SMS to a citizen with both contacts', async () => {
    const citizen = (await app.container.citizenQueries.findCitizenByCyberspaceId(p1.cyberspaceId!))!;
    const { contactQueries, sealing, notify, worker } = app.container.notifications;
    for (const [channel, { value }] of [['email', contactNeedles[0]!], ['sms', contactNeedles[1]!]] as const) {
      await contactQueries.upsertContact({
        citizen_id: citizen.id, channel, locale: 'zh-CN', confirmed_at: new Date(), code_hash: null, code_expires_at: null,
        address_sealed: sealing.seal(citizen.id, channel, value), address_index: sealing.blindIndex(channel, value),
      });
    }
    await notify(app.container.db.knex, citizen.id, 'new_device', { isp: 'Privacy ISP' });
    await notify(app.container.db.knex, citizen.id, 'password_changed', {});
    await worker.runOnce();
    await smtp.waitFor(2);
    await sms.waitFor(2);
  });

  // Operators' secrets (issue 11): the password, the TOTP secret, the enrolment code and the
  // session token must not be stored as such either; a lawful-access reveal through the console
  // leaves no identity in the stores or logs (the page itself goes to the officer only).
  const operatorNeedles: Needle[] = [{ label: 'operator password', value: OPERATOR_PASSWORD }];
  const officers: TestOperator[] = [];
  let consoleAdminToken = '';
  it('runs a lawful-access request, approval and reveal of P1 in the operator console', async () => {
    officers.push(await bootstrapOperator(app.container, 'privacy.root'));
    const admin = new Browser(app.url, { 'accept-language': 'en' });
    const signInPage = async (browser: Browser, operator: TestOperator) => {
      const form = (await browser.navigate('/admin/login')) as Page;
      return browser.submit(form, 'form[action="/admin/login"]', { handle: operator.handle, password: operator.password, code: await freshCode(operator) });
    };
    await signInPage(admin, officers[0]!);
    const created = (await admin.submit((await admin.navigate('/admin/operators')) as Page, 'form[action="/admin/operators"]', {
      handle: 'privacy.second', role_lawful_access_officer: 'on', reauth_code: await freshCode(officers[0]!),
    })) as Page;
    const code = created.document.querySelector('#enrolment-code')!.getAttribute('value')!;
    const { secret, used } = await enrol(app.container, 'privacy.second', code);
    officers.push({ id: '', handle: 'privacy.second', password: OPERATOR_PASSWORD, secret, used, roles: ['lawful_access_officer'] });
    operatorNeedles.push({ label: 'enrolment code', value: code }, ...officers.map((o) => ({ label: `TOTP secret of ${o.handle}`, value: o.secret })));
    consoleAdminToken = admin.cookies.get('cid_operator')!;
    operatorNeedles.push({ label: 'operator session token', value: consoleAdminToken });

    const list = (await admin.navigate('/admin/lawful-access')) as Page;
    const requested = (await admin.submit(list, '#request-form', { cyberspace_id: p1.cyberspaceId!, case_reference: 'PRIVACY-1', authority_code: 'PSB-110105' })) as Page;
    const id = requested.document.querySelector('tr[data-request]')!.getAttribute('data-request')!;
    const second = new Browser(app.url, { 'accept-language': 'zh-CN' });
    await signInPage(second, officers[1]!);
    await second.submit((await second.navigate('/admin/lawful-access')) as Page, `form[action="/admin/lawful-access/${id}/approve"]`, { reauth_code: await freshCode(officers[1]!) });
    const disclosure = (await admin.submit((await admin.navigate('/admin/lawful-access')) as Page, `form[action="/admin/lawful-access/${id}/reveal"]`)) as Page;
    assert.ok(disclosure.html.includes(p1.name), 'the officer received the identity');
  });

  // The same through the admin API (docs/admin-api.md): its DPoP-bound tokens are stored as
  // digests only, and the reveal's JSON goes to the officer and nowhere else.
  it('runs a lawful-access request, approval and reveal of P1 through the admin API', async () => {
    // The console's admin session re-authenticated a moment ago: it creates the two officers.
    const session = (await app.container.operators.authentication.session(consoleAdminToken))!;
    const actor = { operatorId: session.operator.id, sessionKey: session.sessionKey, requestId: 'privacy-admin-api' };
    const officer = async (handle: string): Promise<TestOperator> => {
      const created = await app.container.operators.operations.perform('operators.create', actor, { handle, roles: ['lawful_access_officer'] });
      return { id: created.operator.id, handle, password: OPERATOR_PASSWORD, roles: ['lawful_access_officer'], ...(await enrol(app.container, handle, created.enrolment_code)) };
    };
    const [first, second] = [await apiAs(app.url, await officer('privacy.api-a')), await apiAs(app.url, await officer('privacy.api-b'))];
    for (const client of [first, second]) {
      operatorNeedles.push({ label: `admin API token of ${client.operator!.handle}`, value: client.token! }, { label: `TOTP secret of ${client.operator!.handle}`, value: client.operator!.secret });
      await client.reauthenticate();
    }
    const requested = await first.call('POST', '/lawful-access', { body: { cyberspace_id: p1.cyberspaceId!, case_reference: 'PRIVACY-2', authority_code: 'PSB-110105' } });
    assert.equal((await second.call('POST', `/lawful-access/${requested.body.id}/approve`)).status, 200);
    const revealed = await first.call('POST', `/lawful-access/${requested.body.id}/reveal`);
    assert.equal(revealed.body.identity.name, p1.name, 'the officer received the identity');
  });

  it('finds none of the names, document numbers or birth dates in any table, Redis key, log line or ISP response', async () => {
    const { sources, tables, rows, keys } = await dumpEverything();
    // The dump really covered the stores the flows wrote to.
    for (const table of ['citizens', 'audit_log', 'oidc_payloads', 'sandbox_identities', 'clients', 'signing_keys', 'notification_outbox', 'citizen_contacts', 'authentication_log', 'authentication_log_keys', 'operators', 'lawful_access_requests']) {
      assert.ok(tables.includes(table), `table ${table} dumped (got ${tables.join(', ')})`);
    }
    assert.ok(rows > 30, `rows dumped: ${rows}`);
    if (app.container.ephemeral.kind === 'redis') assert.ok(keys.length > 5, `Redis keys dumped: ${keys.length}`);
    assert.ok(app.logs.length > 20, `log lines captured: ${app.logs.length}`);
    assert.ok(isp.length >= 15, `ISP responses captured: ${isp.length}`);
    const sealedNetwork = await app.container.db.knex('authentication_log').whereNotNull('address_ciphertext').whereNotNull('user_agent_ciphertext').count<{ c: string }[]>('* as c');
    assert.ok(Number(sealedNetwork[0]!.c) >= 9, 'the network data is stored (encrypted) — the scan looked at real data');
    const p1Row = (await app.container.citizenQueries.findCitizenByCyberspaceId(p1.cyberspaceId!))!;
    assert.ok((await app.container.authenticationLog.reveal(p1Row.id)).some((e) => e.address === network['x-forwarded-for'] && e.user_agent === network['user-agent']), 'and it opens to the right values');
    const citizens = await app.container.db.knex('citizens').whereNotNull('name_ciphertext').count<{ c: string }[]>('* as c');
    assert.equal(Number(citizens[0]!.c), people.length - 1, 'the identities are stored (encrypted) — the scan looked at real data');

    assert.equal(recoveryCodes.length, 10, 'the scan looks for the recovery codes shown');
    assert.equal(operatorNeedles.length, 9, 'the scan looks for the operators\' secrets');
    const codeNeedles = recoveryCodes.flatMap((code) => [{ label: 'recovery code', value: code }, { label: 'recovery code without its hyphen', value: code.replace('-', '') }]);
    const findings = [
      ...scanForPlaintext(sources, [...needles(), ...contactNeedles, ...codeNeedles, ...networkNeedles, ...operatorNeedles]),
      // Delivered messages name their recipient, and nothing else about the person.
      ...scanForPlaintext(deliveredSources(), [...needles(), ...codeNeedles, ...networkNeedles]),
    ];
    assert.ok(deliveredSources().length >= 4, 'the scan covered delivered emails and SMS');
    assert.equal(findings.length, 0, `plaintext personal data found:\n${describeFindings(findings)}`);
  });

  it('the scanner finds a planted value and says where (control)', async () => {
    const knex = app.container.db.knex;
    const schema = app.container.config.databaseUrl ? app.schema : 'public';
    await knex.schema.withSchema(schema).createTable('privacy_probe', (t) => {
      t.integer('id');
      t.text('note');
      t.jsonb('payload');
    });
    try {
      await knex.withSchema(schema).table('privacy_probe').insert([
        { id: 1, note: 'nothing here', payload: JSON.stringify({ ok: true }) },
        { id: 2, note: `typed: ${p2.typedNumber.toUpperCase()}`, payload: JSON.stringify({ who: p1.name }) },
      ]);
      const jwtLike = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ name: p3.name, birthdate: p5.birthDate })).toString('base64url')}.`;
      const redis = app.container.ephemeral.kind === 'redis' ? (app.container.ephemeral as unknown as { redis: Redis }).redis : undefined;
      if (redis) await redis.hset(`${app.redisPrefix}probe:1`, 'payload', JSON.stringify({ token: jwtLike }), 'other', 'x');
      app.logs.push(JSON.stringify({ msg: 'probe', detail: encodeURIComponent(p4.name) }));
      try {
        const { sources } = await dumpEverything();
        const findings = scanForPlaintext(sources, needles());
        const where = (label: string) => findings.filter((f) => f.label === label).map((f) => f.where);
        assert.deepEqual(where(`${p1.label} name`), [`pg ${schema}.privacy_probe[1].payload`]);
        assert.deepEqual(where(`${p2.label} document number as typed`), [`pg ${schema}.privacy_probe[1].note`]);
        assert.deepEqual(where(`${p4.label} name`), [`log line ${app.logs.length}`]);
        assert.equal(findings.find((f) => f.label === `${p4.label} name`)!.form, 'URL-encoded');
        if (redis) {
          assert.deepEqual(where(`${p3.label} name`), [`redis hash ${app.redisPrefix}probe:1 field payload`]);
          assert.equal(findings.find((f) => f.label === `${p3.label} name`)!.form, 'base64url', 'found inside a JWT payload');
          assert.deepEqual(where(`${p5.label} birth date`), [`redis hash ${app.redisPrefix}probe:1 field payload`]);
        }
        // Nothing else: every finding is at a planted place.
        const planted = [`pg ${schema}.privacy_probe[1].payload`, `pg ${schema}.privacy_probe[1].note`, `log line ${app.logs.length}`, `redis hash ${app.redisPrefix}probe:1 field payload`];
        assert.deepEqual(findings.filter((f) => !planted.includes(f.where)), [], describeFindings(findings));
        assert.equal(findings.length, redis ? 7 : 3, `P3's name parts are found too:\n${describeFindings(findings)}`);
      } finally {
        if (redis) await redis.del(`${app.redisPrefix}probe:1`);
        app.logs.pop();
      }
    } finally {
      await knex.schema.withSchema(schema).dropTable('privacy_probe');
    }
  });
});
