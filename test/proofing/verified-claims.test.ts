// Identity assurance in the credential, seen by an ISP using openid-client: the `verified`
// scope releases OIDC4IDA verified_claims (trust framework, level, evidence, time — never a
// document number), discovery announces them, real_name_verified is true from substantial only,
// and an ISP's minimum identity assurance turns a weaker citizen away with access_denied
// while the citizen is told how to raise their level.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { runCommand } from '../../src/cli/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { EN, PASSWORD, adultIdentity, appliedCitizen } from '../account/account-support.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import type { Credentials } from '../support/flow.js';

type Isp = { client: Awaited<ReturnType<typeof createClient>>; config: oidc.Configuration };

describe('identity assurance in the credential (openid-client as the ISP)', () => {
  let app: TestApp;
  const lowPerson = adultIdentity('核验低');
  const highPerson = adultIdentity('核验高');
  let low: Credentials;
  let high: Credentials;

  async function isp(input: Parameters<typeof createClient>[1] = {}): Promise<Isp> {
    const client = await createClient(app.container, { name: 'Assured ISP', scope: 'openid age verified', ...input });
    const config = await oidc.discovery(new URL(app.url), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret!), { execute: [oidc.allowInsecureRequests] });
    return { client, config };
  }

  /** Authorize → sign in → consent (allow) → whatever comes: tokens, or a page. */
  async function signInAt({ client, config }: Isp, who: Credentials, scope = 'openid age verified') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: client.redirect_uri, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const browser = new Browser(app.url, EN);
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    let next = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: who.cyberspace_id, password: who.password });
    if (isPage(next) && next.document.querySelector('form[action$="/confirm"]')) {
      next = await browser.submit(next, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    }
    if (isPage(next)) return { page: next as Page, browser };
    const callback = next.redirectedTo;
    if (callback.searchParams.get('error')) return { callback };
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    return { tokens, claims: tokens.claims()! };
  }

  async function raiseToHigh(person: IdentityClaim) {
    const { challenge } = await app.container.attestations.issueChallenge();
    const jws = (await runCommand(app.container, ['sandbox', 'attest', '--level', 'high', '--challenge', challenge, '--document-type', person.documentType, '--document-number', person.documentNumber])).output.trim();
    const row = (await app.container.citizenQueries.findCitizenByBlindIndex(app.container.vault.blindIndex(person.documentType, person.documentNumber)))!;
    await app.container.assuranceRaise.raise(row, { challenge, attestation: jws });
  }

  before(async () => {
    app = await startTestApp();
    low = await appliedCitizen(app, lowPerson);
    high = await appliedCitizen(app, highPerson);
    await raiseToHigh(highPerson);
    assert.equal(low.password, PASSWORD);
  });
  after(async () => app.stop());

  it('discovery publishes the OIDC4IDA metadata', async () => {
    const { config } = await isp();
    const metadata = config.serverMetadata() as Record<string, unknown>;
    assert.equal(metadata.verified_claims_supported, true);
    assert.deepEqual(metadata.trust_frameworks_supported, ['cn_cyberspace_id']);
    assert.deepEqual(metadata.evidence_supported, ['document']);
    assert.ok((metadata.claims_in_verified_claims_supported as string[]).includes('real_name_verified'));
    assert.ok((metadata.claims_supported as string[]).includes('verified_claims'));
  });

  it('a low (document facts) citizen: verified_claims say low and how; real_name_verified is false', async () => {
    const { claims } = await signInAt(await isp(), low);
    assert.ok(claims);
    assert.equal(claims.real_name_verified, false);
    assert.equal(claims.identity_assurance_level, 'low');
    const verified = claims.verified_claims as { verification: Record<string, unknown> & { evidence: Array<Record<string, unknown>> }; claims: Record<string, unknown> };
    assert.equal(verified.verification.trust_framework, 'cn_cyberspace_id');
    assert.equal(verified.verification.assurance_level, 'low');
    assert.ok(!Number.isNaN(Date.parse(String(verified.verification.time))));
    assert.deepEqual(verified.verification.evidence.map((e) => [e.type, (e.validation_method as { type: string }).type, e.verification_method]), [['document', 'vri', undefined]]);
    assert.deepEqual(verified.claims, { real_name_verified: false, age_over_14: true, age_over_16: true, age_over_18: true });
    assert.doesNotMatch(JSON.stringify(claims), new RegExp(`${lowPerson.documentNumber}|${lowPerson.name}`));
  });

  it('a high (staffed counter) citizen: level high, in-person evidence, real_name_verified true; userinfo agrees', async () => {
    const service = await isp();
    const { claims, tokens } = await signInAt(service, high);
    assert.ok(claims && tokens);
    assert.equal(claims.real_name_verified, true);
    const verified = claims.verified_claims as { verification: { assurance_level: string; evidence: Array<{ validation_method: { type: string }; verification_method: { type: string } }> } };
    assert.equal(verified.verification.assurance_level, 'high');
    assert.deepEqual(verified.verification.evidence.map((e) => [e.validation_method.type, e.verification_method.type]), [['vpip', 'pvp']]);
    const info = await oidc.fetchUserInfo(service.config, tokens.access_token, claims.sub);
    assert.equal((info.verified_claims as { verification: { assurance_level: string } }).verification.assurance_level, 'high');
    assert.doesNotMatch(JSON.stringify(claims), new RegExp(highPerson.documentNumber));
  });

  it('without the verified scope there are no verified_claims', async () => {
    const { claims } = await signInAt(await isp({ scope: 'openid age' }), high, 'openid age');
    assert.ok(claims);
    assert.equal(claims.verified_claims, undefined);
    assert.equal(claims.real_name_verified, undefined);
  });

  it('an ISP requiring substantial: a low citizen is told how to raise the level, the ISP gets access_denied', async () => {
    const strict = await isp({ minIdentityAssurance: 'substantial' });
    const result = await signInAt(strict, low);
    assert.ok(result.page, 'the citizen sees a page');
    assert.equal(result.page.status, 403);
    assert.match(result.page.document.querySelector('#assurance-required')!.text, /Assured ISP accepts only cyberspace IDs whose identity was verified at substantial assurance or above/);
    assert.ok(result.page.document.querySelector('a[href="/account/assurance"]'));
    const back = await result.browser!.submit(result.page, 'form[action$="/assurance"]', {});
    assert.ok(!isPage(back));
    assert.equal(back.redirectedTo.searchParams.get('error'), 'access_denied');
    assert.match(back.redirectedTo.searchParams.get('error_description')!, /identity assurance below the minimum this service requires \(substantial\)/);

    // With prompt=none (the browser is still signed in) the ISP gets access_denied at once.
    const silent = oidc.buildAuthorizationUrl(strict.config, { redirect_uri: strict.client.redirect_uri, scope: 'openid', prompt: 'none', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', state: 's' });
    const answer = await result.browser!.navigate(silent.href);
    assert.ok(!isPage(answer));
    assert.equal(answer.redirectedTo.searchParams.get('error'), 'access_denied');
    assert.match(answer.redirectedTo.searchParams.get('error_description') ?? '', /identity assurance below the minimum/);

    const ok = await signInAt(strict, high);
    assert.equal(ok.claims?.real_name_verified, true, 'a high citizen passes');
  });

  it('the operator sets and clears the minimum with cyberid client update', async () => {
    const { client } = await isp();
    const set = await runCommand(app.container, ['client', 'update', client.client_id, '--min-identity-assurance', 'high']);
    assert.equal(set.exitCode ?? 0, 0, set.output);
    assert.equal(JSON.parse(set.output).min_identity_assurance, 'high');
    const bad = await runCommand(app.container, ['client', 'update', client.client_id, '--min-identity-assurance', 'medium']);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.output, /must be low, substantial or high/);
    const cleared = await runCommand(app.container, ['client', 'update', client.client_id, '--min-identity-assurance', 'low']);
    assert.equal(JSON.parse(cleared.output).min_identity_assurance, 'low');
  });
});
