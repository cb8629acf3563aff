// ISP names and legal bases in the citizen's language (issue 12): an ISP registers
// `client_name#zh-CN` (OpenID Connect Registration §2.1 language tags) by the CLI or dynamic
// registration, and the operator a Chinese legal basis; Chinese pages show them, English pages
// the untagged name, and an ISP without a Chinese name keeps its one name everywhere.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient, putInService } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { signIn } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { mainText, openConsent, openLogin } from './web-support.js';
import { adultIdentity, appliedCitizen } from '../account/account-support.js';

describe('ISP names and legal bases in the citizen’s language', () => {
  let app: TestApp;
  let shop: Awaited<ReturnType<typeof createClient>>;
  before(async () => {
    app = await startTestApp();
    shop = await createClient(app.container, { name: 'Example Shop', nameZh: '示例商城', scope: 'openid age', redirectUris: ['https://shop.example/cb'] });
  });
  after(async () => app.stop());

  it('names the ISP in Chinese on the Chinese sign-in and consent pages, in English on the English ones', async () => {
    const citizen = await createCitizen(app.container);
    const zh = await openLogin(app.url, shop, { params: { ui_locales: 'zh-CN' } });
    assert.match(mainText(zh.page), /示例商城/);
    assert.doesNotMatch(mainText(zh.page), /Example Shop/);
    const en = await openLogin(app.url, shop, { params: { ui_locales: 'en' } });
    assert.match(mainText(en.page), /Example Shop/);
    assert.doesNotMatch(mainText(en.page), /示例商城/);
    const consent = await openConsent(app.url, shop, citizen, { params: { ui_locales: 'zh-CN' } });
    assert.match(consent.page.document.querySelector('h1')!.text, /示例商城/);
    assert.match(consent.page.document.querySelector('title')!.text, /示例商城/);
  });

  it('names it in the reader’s language on the dashboard and in its activity', async () => {
    const citizen = await createCitizen(app.container);
    await signIn(app.url, shop, citizen);
    for (const [language, name, other] of [['zh-CN', '示例商城', 'Example Shop'], ['en', 'Example Shop', '示例商城']] as const) {
      const browser = new Browser(app.url, { 'accept-language': language });
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      const page = await browser.navigate('/account/services');
      assert.ok(isPage(page));
      const row = page.document.querySelector(`tr.connection[data-client-id="${shop.client_id}"]`)!;
      assert.match(row.text, new RegExp(name));
      const activityPage = await browser.navigate('/account/activity');
      assert.ok(isPage(activityPage));
      const activity = activityPage.document.querySelectorAll('tr.activity-entry').map((tr) => tr.text).join('\n');
      assert.match(activity, new RegExp(name), activity);
      assert.doesNotMatch(`${row.text}\n${activity}`, new RegExp(other));
    }
  });

  it('keeps the one name of an ISP that registered no Chinese name', async () => {
    const plain = await createClient(app.container, { name: 'Plain ISP', redirectUris: ['https://plain.example/cb'] });
    const zh = await openLogin(app.url, plain, { params: { ui_locales: 'zh-CN' } });
    assert.match(mainText(zh.page), /Plain ISP/);
  });

  it('accepts client_name#zh-CN by dynamic registration, but never a legal basis', async () => {
    const token = await new (app.container.providerHolder.current().InitialAccessToken)({}).save();
    const registered = await request(app.url).post('/reg').set('authorization', `Bearer ${token}`)
      .send({ redirect_uris: ['https://dcr.example/cb'], client_name: 'Registered ISP', 'client_name#zh-CN': '自助注册的服务' });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal(registered.body['client_name#zh-CN'], '自助注册的服务');
    await putInService(app.container, registered.body.client_id);
    const zh = await openLogin(app.url, { client_id: registered.body.client_id, redirect_uri: 'https://dcr.example/cb' }, { params: { ui_locales: 'zh-CN' } });
    assert.match(mainText(zh.page), /自助注册的服务/);

    const before = (await app.container.clients.listClients()).length;
    for (const metadata of [
      { redirect_uris: ['https://dcr.example/cb'], 'cyberid_legal_basis#zh-CN': '自称的法律依据' },
      { redirect_uris: ['https://dcr.example/cb'], 'client_name#zh-CN': '' },
      { redirect_uris: ['https://dcr.example/cb'], 'client_name#zh-CN': 42 },
    ]) {
      const again = await new (app.container.providerHolder.current().InitialAccessToken)({}).save();
      const refused = await request(app.url).post('/reg').set('authorization', `Bearer ${again}`).send(metadata);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error, 'invalid_client_metadata');
    }
    assert.equal((await app.container.clients.listClients()).length, before, 'nothing stored');
  });

  it('shows the operator’s Chinese legal basis on the Chinese identity-release page, and client show lists both', async () => {
    const bank = await createClient(app.container, {
      name: 'Bank ISP', nameZh: '示例银行', scope: 'openid identity', redirectUris: ['https://bank.example/cb'],
      legalBasis: 'Anti-Money Laundering Law art. 16', legalBasisZh: '《反洗钱法》第十六条',
      purposes: { identity: { en: 'Customer due diligence', 'zh-CN': '客户身份识别' } },
    });
    const shown = (await app.container.clients.findClient(bank.client_id))!;
    assert.equal(shown.name_zh, '示例银行');
    assert.equal(shown.legal_basis_zh, '《反洗钱法》第十六条');
    const citizen = await appliedCitizen(app, adultIdentity('双语甲')); // holds identity data to release
    const consent = await openConsent(app.url, bank, citizen, { params: { ui_locales: 'zh-CN', scope: 'openid identity' } });
    const release = await consent.browser.submit(consent.page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(isPage(release), 'the release screen follows');
    assert.match(mainText(release), /《反洗钱法》第十六条/);
    assert.match(mainText(release), /示例银行/);
    assert.doesNotMatch(mainText(release), /Anti-Money Laundering|Bank ISP/);
  });
});
