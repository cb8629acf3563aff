// "Download my data": a JSON file of everything held about the signed-in citizen, identity
// decrypted for them alone and the decryption audited; never another citizen's data.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { idTokenClaims, redeem, type TestClient } from '../support/tokens.js';
import { EN, adultIdentity, appliedCitizen, dashboard } from './account-support.js';

type Export = {
  export_format: string;
  account: { cyberspace_id: string; status: string; created_at: string };
  identity: { name: string; document_type: string; document_number: string; birth_date: string };
  connections: Array<{ isp_name: string; client_id: string; pairwise_cyberspace_id: string; claims_released: string[]; first_sign_in_at: string; last_sign_in_at: string }>;
  guardian: unknown;
  wards: unknown[];
  known_devices: Array<{ first_seen_at: string }>;
  activity: Array<{ type: string; isp_name: string | null; details: Record<string, unknown> }>;
  pending_notices: Array<{ kind: string; isp_name: string | null }>;
  lawful_access_disclosures: unknown[];
};

describe('download my data', () => {
  let app: TestApp;
  let isp: TestClient;
  const aIdentity = adultIdentity('导出甲');
  const bIdentity = adultIdentity('导出乙', '1979-03-09');
  let a: Credentials;
  let b: Credentials;

  before(async () => {
    app = await startTestApp();
    isp = await createClient(app.container, { name: 'Forum ISP', redirectUris: ['https://forum.example/callback'], scope: 'openid age' });
    a = await appliedCitizen(app, aIdentity);
    b = await appliedCitizen(app, bIdentity);
  });
  after(async () => app.stop());

  async function download(browser: Browser) {
    const response = await browser.request('/account/export');
    return { response, body: response.status === 200 ? (JSON.parse(await response.text()) as Export) : undefined };
  }

  it('is offered on the data page and downloads as a JSON attachment that is never cached', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, a.cyberspace_id, a.password);
    const link = (await dashboard(browser, '/account/data')).document.querySelector('a[href="/account/export"]')!;
    assert.match(link.text, /Download my data/);
    const { response } = await download(browser);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    assert.match(response.headers.get('content-disposition')!, /^attachment; filename="[^"]+\.json"$/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('holds everything about the signed-in citizen: identity, connections, devices, activity, notices', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, a.cyberspace_id, a.password);
    // Notices stay until dismissed: start from none (this browser was new, too).
    await app.container.accountNotices.dismissAll((await app.container.citizenQueries.findCitizenByCyberspaceId(a.cyberspace_id))!.id);
    // Then, from another browser, a first sign-in at the ISP: two notices wait for the next visit.
    const flow = await signIn(app.url, isp, a, { params: { scope: 'openid age' }, browser: new Browser(app.url, EN) });
    const sub = String(idTokenClaims(await redeem(app.url, isp, flow)).sub);
    const { body } = await download(browser);
    assert.ok(body);
    assert.equal(body.export_format, 'cyberspace-id-data-export/1');
    assert.equal(body.account.cyberspace_id, a.cyberspace_id);
    assert.equal(body.account.status, 'active');
    assert.ok(Date.parse(body.account.created_at));
    assert.deepEqual(body.identity, { name: aIdentity.name, document_type: 'resident_id', document_number: aIdentity.documentNumber, birth_date: aIdentity.birthDate });

    const connection = body.connections.find((c) => c.client_id === isp.client_id)!;
    assert.equal(connection.isp_name, 'Forum ISP');
    assert.equal(connection.pairwise_cyberspace_id, sub);
    assert.ok(connection.claims_released.includes('age_over_18'));
    assert.ok(Date.parse(connection.first_sign_in_at) && Date.parse(connection.last_sign_in_at));

    assert.equal(body.guardian, null);
    assert.deepEqual(body.wards, []);
    assert.ok(body.known_devices.length >= 2, 'this browser and the ISP sign-in\'s');
    assert.ok(body.known_devices.every((d) => Date.parse(d.first_seen_at)));
    assert.ok(!JSON.stringify(body.known_devices).match(/[0-9a-f]{64}/), 'no device hashes');

    const types = body.activity.map((e) => e.type);
    for (const type of ['account.applied', 'sign_in.succeeded', 'consent.granted', 'claims.released']) assert.ok(types.includes(type), type);
    assert.ok(body.activity.some((e) => e.type === 'claims.released' && e.isp_name === 'Forum ISP'));
    assert.deepEqual(body.pending_notices.map((n) => [n.kind, n.isp_name]).sort(), [['new_connection', 'Forum ISP'], ['new_device', 'Forum ISP']]);
    assert.deepEqual(body.lawful_access_disclosures, []);
    assert.ok(!JSON.stringify(body).includes('$argon2'), 'no password hash');

    // The export left the notices for the dashboard to show.
    assert.equal((await dashboard(browser)).document.querySelectorAll('li.account-notice').length, 2);
  });

  it('is audited as a decryption of identity data for the data export', async () => {
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(a.cyberspace_id))!;
    const before = (await app.container.audit.listForCitizen(row.id, { limit: 1000 })).filter((e) => e.details.purpose === 'data_export').length;
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, a.cyberspace_id, a.password);
    const { body } = await download(browser);
    const entries = (await app.container.audit.listForCitizen(row.id, { limit: 1000 })).filter((e) => e.type === 'identity.decrypted' && e.details.purpose === 'data_export');
    assert.equal(entries.length, before + 1);
    assert.deepEqual([...(entries[0]!.details.fields as string[])].sort(), ['birthDate', 'documentNumber', 'documentType', 'name']);
    assert.equal(entries[0]!.actor, 'system');
    assert.ok(body!.activity.some((e) => e.type === 'identity.decrypted' && e.details.purpose === 'data_export'), 'and the file itself shows it');
    const lines = (await dashboard(browser, '/account/activity')).document.querySelectorAll('tr.activity-entry td:nth-child(2)').map((td) => td.text.trim());
    assert.ok(lines.includes('Identity data decrypted (name, document type, document number, birth date) for: your data download'), lines.join('\n'));
  });

  it('gives another citizen\'s session only that citizen\'s data, and nobody\'s without a session', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, b.cyberspace_id, b.password);
    const { body } = await download(browser);
    assert.equal(body!.account.cyberspace_id, b.cyberspace_id);
    assert.equal(body!.identity.name, bIdentity.name);
    const text = JSON.stringify(body);
    for (const foreign of [a.cyberspace_id, aIdentity.name, aIdentity.documentNumber]) assert.ok(!text.includes(foreign), `B's file holds nothing of A (${foreign})`);
    assert.ok(!body!.connections.some((c) => c.client_id === isp.client_id));
    // Query parameters cannot point it at someone else.
    const aRow = (await app.container.citizenQueries.findCitizenByCyberspaceId(a.cyberspace_id))!;
    const tricked = await browser.request(`/account/export?citizen=${aRow.id}&cyberspace_id=${a.cyberspace_id}`);
    assert.ok(!(await tricked.text()).includes(aIdentity.name));

    const anonymous = await new Browser(app.url).request('/account/export');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/account/login');
    assert.doesNotMatch(await anonymous.text(), /identity/);

    // After signing out, the old session cookie opens nothing.
    const page = await dashboard(browser);
    await browser.submit(page, 'form[action="/account/logout"]');
    assert.equal((await browser.request('/account/export')).status, 303);
  });
});
