// examples/isp-demo end to end in Chromium: a separate ISP process (openid-client only) against
// the real server. The citizen clicks the button, signs in and consents; the demo shows the
// pairwise ID, the consented claims from the ID token and userinfo, and what it did not get;
// RP-initiated logout returns to it signed out; a logout at the provider reaches it by
// back-channel and ends its session there too.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, freePort, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { launchChromium } from '../support/chromium.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { pairwiseCyberspaceId } from '../../src/oidc/pairwise.js';
import { ACR_PASSWORD } from '../../src/sign-in/acr.js';
import { startExample, type RunningExample } from './example-support.js';

describe('the ISP demo (examples/isp-demo), in Chromium', () => {
  let app: TestApp;
  let demo: RunningExample;
  let chromium: Browser;
  let page: Page;
  let citizen: { cyberspace_id: string; password: string };

  before(async () => {
    app = await startTestApp();
    const base = `http://127.0.0.1:${await freePort()}`;
    const client = await createClient(app.container, {
      name: 'ISP demo',
      redirectUris: [`${base}/callback`],
      postLogoutRedirectUris: [`${base}/`],
      backchannelLogoutUri: `${base}/backchannel-logout`,
      scope: 'openid age verified',
    });
    citizen = await app.container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
    demo = await startExample(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'examples/isp-demo/server.ts')], {
      ISSUER: app.url, CLIENT_ID: client.client_id, CLIENT_SECRET: client.client_secret!, DEMO_URL: base,
    }, `${base}/callback`);
    chromium = await launchChromium();
    page = await (await chromium.newContext({ locale: 'en' })).newPage();
  });
  after(async () => {
    await chromium?.close();
    await demo?.stop();
    await app?.stop();
  });

  async function signInThroughDemo() {
    await page.goto(demo.url);
    await page.getByRole('link', { name: 'Log in with Cyberspace ID' }).click();
    await page.waitForURL((url) => url.origin === app.url);
    await page.fill('#cyberspace_id', citizen.cyberspace_id);
    await page.fill('#password', citizen.password);
    await page.click('form[action$="/login"] button[type="submit"]');
    await page.click('button[name="decision"][value="allow"]');
    await page.waitForURL(demo.url);
  }

  it('signs in through the button and shows what the demo received and what it did not', async () => {
    await signInThroughDemo();
    const pairwise = pairwiseCyberspaceId(app.container.config.secrets.pairwiseSecret, '127.0.0.1', citizen.cyberspace_id);
    assert.equal(await page.textContent('#pairwise-id'), pairwise);
    assert.equal(await page.textContent('#acr'), ACR_PASSWORD);
    const idToken = JSON.parse((await page.textContent('#id-token pre'))!) as Record<string, unknown>;
    const userinfo = JSON.parse((await page.textContent('#userinfo pre'))!) as Record<string, unknown>;
    assert.equal(idToken.sub, pairwise);
    assert.equal(idToken.age_over_18, true);
    assert.equal(userinfo.age_over_18, true, 'userinfo carries the consented claims too');
    assert.equal(userinfo.sub, pairwise);
    const notReceived = (await page.textContent('#not-received'))!;
    assert.match(notReceived, /document number/);
    assert.doesNotMatch(notReceived, /age_over_18/, 'what it got is not listed as missing');
    assert.ok(!(await page.content()).includes(citizen.cyberspace_id), 'the citizen-level ID never reaches the ISP');
  });

  it('logs out through the provider (RP-initiated) and comes back signed out', async () => {
    await page.click('form[action="/logout"] button');
    await page.waitForURL((url) => url.origin === app.url);
    await page.click('button[name="logout"][value="yes"]');
    await page.waitForURL(demo.url);
    assert.match((await page.textContent('[role="status"]'))!, /signed out/);
    assert.equal(await page.getByRole('link', { name: 'Log in with Cyberspace ID' }).count(), 1);
  });

  it('ends its own session when the citizen signs out at the provider (back-channel logout)', async () => {
    await signInThroughDemo();
    assert.equal(await page.locator('#pairwise-id').count(), 1);
    await page.goto(`${app.url}/session/end`);
    await page.click('button[name="logout"][value="yes"]');
    await page.waitForLoadState('load');
    await page.goto(demo.url);
    assert.match((await page.textContent('[role="status"]'))!, /back-channel logout/);
    assert.equal(await page.locator('#pairwise-id').count(), 0, 'signed out at the demo too');
  });
});
