// The claims request parameter (OIDC Core §5.5) is on for essential acr (step-up). It must never
// become a way around consent: claims requested by name are released only when their scope was
// allowed to the ISP and granted by the citizen, in the ID token and at userinfo alike.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { idTokenClaims, redeem, signInForTokens, userinfo, type TestClient } from '../support/tokens.js';
import { Browser, isPage } from '../support/browser.js';
import { authorizeUrl, type Credentials } from '../support/flow.js';
import { adultIdentity, appliedCitizen } from '../account/account-support.js';
import { SCOPE_CLAIMS } from '../../src/oidc/claims.js';

const everyClaim = Object.values(SCOPE_CLAIMS).flat().filter((claim) => !['sub', 'acr', 'amr'].includes(claim));
const askForAll = JSON.stringify({
  id_token: Object.fromEntries(everyClaim.map((claim) => [claim, { essential: true }])),
  userinfo: Object.fromEntries(everyClaim.map((claim) => [claim, { essential: true }])),
});

describe('the claims parameter releases nothing that was not consented', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('an ISP allowed only openid gets no claim of another scope by naming it', async () => {
    const client = await createClient(app.container, { scope: 'openid', redirectUris: ['https://claims.example/cb'] });
    const citizen = await appliedCitizen(app, adultIdentity('声明甲'));
    const { tokens } = await signInForTokens(app.url, client, citizen, { params: { scope: 'openid', claims: askForAll } });
    const fromIdToken = Object.keys(idTokenClaims(tokens));
    const fromUserinfo = Object.keys((await userinfo(app.url, tokens.access_token)).body);
    for (const claim of everyClaim) {
      assert.ok(!fromIdToken.includes(claim), `${claim} is not in the ID token: ${fromIdToken.join(', ')}`);
      assert.ok(!fromUserinfo.includes(claim), `${claim} is not at userinfo: ${fromUserinfo.join(', ')}`);
    }
  });

  /** Signs in with every claim requested by name; `keepAge`: leave the optional age item ticked. */
  async function consentWithAge(client: TestClient, citizen: Credentials, keepAge: boolean): Promise<string[]> {
    const browser = new Browser(app.url);
    const { url, verifier } = authorizeUrl(app.url, client, { scope: 'openid age', claims: askForAll });
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    const consent = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    assert.ok(isPage(consent) && consent.document.querySelector('#scope-age'), 'age is offered as optional');
    const done = await browser.submit(consent, 'form[action$="/confirm"]', { scope: keepAge ? ['age'] : [] }, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(done), 'back at the ISP');
    const tokens = await redeem(app.url, client, { code: done.redirectedTo.searchParams.get('code'), verifier });
    return [...Object.keys(idTokenClaims(tokens)), ...Object.keys((await userinfo(app.url, tokens.access_token)).body)];
  }

  it('an ISP allowed age gets the age claims only when the citizen leaves the item ticked', async () => {
    const client = await createClient(app.container, { scope: 'openid age', redirectUris: ['https://claims-age.example/cb'] });
    const unticked = await consentWithAge(client, await appliedCitizen(app, adultIdentity('声明乙')), false);
    for (const claim of SCOPE_CLAIMS.age!) assert.ok(!unticked.includes(claim), `${claim} was not granted: ${unticked.join(', ')}`);
    // The control: with the item left ticked the same request does receive them, so the check above can see a leak.
    const ticked = await consentWithAge(client, await appliedCitizen(app, adultIdentity('声明丙')), true);
    assert.ok(ticked.includes('age_over_18'), ticked.join(', '));
    for (const claim of everyClaim.filter((c) => !SCOPE_CLAIMS.age!.includes(c))) assert.ok(!ticked.includes(claim), `${claim} is of a scope never allowed`);
  });
});
