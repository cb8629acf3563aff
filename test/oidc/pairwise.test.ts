// Pairwise subjects end to end (OIDC Core §8.1, DESIGN.md "Identifiers"): what `sub` each ISP
// sees, how the sector is chosen (redirect host, else sector_identifier_uri), how the sector
// document is validated, that ID token, userinfo and introspection agree, and that the value
// survives restarts and is the same on every instance sharing the stores and secrets.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { basicAuth, exchangeCode, signIn, type Credentials } from '../support/flow.js';
import { isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { pairwiseCyberspaceId } from '../../src/oidc/pairwise.js';
import { ValidationError } from '../../src/errors.js';

type Client = { client_id: string; client_secret?: string; redirect_uri: string };

/** Answers registered https URLs with a JSON body; everything else goes to the real fetch. */
function sectorServer() {
  const documents = new Map<string, unknown>();
  const requested: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (documents.has(url)) {
      requested.push(url);
      return new Response(JSON.stringify(documents.get(url)), { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return globalThis.fetch(input, init);
  };
  return { documents, requested, fetch };
}

async function discovery(app: TestApp) {
  return (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
}

/** Logs the citizen in at `client` and returns the sub from the ID token, userinfo and introspection. */
async function subjects(app: TestApp, client: Client, citizen: Credentials) {
  const flow = await signIn(app.url, client, citizen);
  assert.ok(flow.code, `expected a code, got ${flow.callback.href}`);
  const tokens = await exchangeCode(app.url, client, flow.code, flow.verifier);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  const idTokenSub = decodeJwt(tokens.body.id_token!).sub!;

  const meta = await discovery(app);
  const userinfo = await fetch(meta.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
  assert.equal(userinfo.status, 200);
  const userinfoSub = ((await userinfo.json()) as { sub: string }).sub;

  const introspection = await fetch(meta.introspection_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client.client_id, client.client_secret!) },
    body: new URLSearchParams({ token: tokens.body.access_token! }),
  });
  assert.equal(introspection.status, 200);
  const introspected = (await introspection.json()) as { active: boolean; sub?: string };
  assert.equal(introspected.active, true);
  return { idToken: idTokenSub, userinfo: userinfoSub, introspection: introspected.sub };
}

async function sub(app: TestApp, client: Client, citizen: Credentials): Promise<string> {
  const seen = await subjects(app, client, citizen);
  assert.equal(seen.userinfo, seen.idToken, 'userinfo sub = ID token sub');
  assert.equal(seen.introspection, seen.idToken, 'introspection sub = ID token sub');
  return seen.idToken;
}

describe('pairwise subject identifiers', () => {
  const sectors = sectorServer();
  let app: TestApp;
  let citizen: Credentials & { cyberspace_id: string };
  before(async () => {
    app = await startTestApp({ fetch: sectors.fetch });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  it('gives the same citizen the same sub at two clients on one redirect host, a valid cyberspace ID derived from the host', async () => {
    const first = await createClient(app.container, { name: 'Shop A', redirectUris: ['https://shop.example.cn/a/callback'] });
    const second = await createClient(app.container, { name: 'Shop B', redirectUris: ['https://shop.example.cn/b/callback'] });
    const a = await sub(app, first, citizen);
    const b = await sub(app, second, citizen);
    assert.equal(a, b);
    assert.ok(isValidCyberspaceId(a), `${a} is a valid cyberspace ID`);
    assert.notEqual(a, citizen.cyberspace_id, 'the citizen-level ID is never the sub');
    assert.equal(a, pairwiseCyberspaceId(app.container.config.secrets.pairwiseSecret, 'shop.example.cn', citizen.cyberspace_id));
  });

  it('gives different subs at clients on different hosts, and different citizens different subs', async () => {
    const shop = await createClient(app.container, { redirectUris: ['https://shop.example.cn/callback'] });
    const bank = await createClient(app.container, { redirectUris: ['https://bank.example.cn/callback'] });
    const other = await createCitizen(app.container);
    const atShop = await sub(app, shop, citizen);
    const atBank = await sub(app, bank, citizen);
    assert.notEqual(atShop, atBank);
    assert.ok(isValidCyberspaceId(atBank));
    assert.notEqual(await sub(app, shop, other), atShop);
  });

  it('gives clients on different hosts that share a sector_identifier_uri the same sub (the sector is its host)', async () => {
    const sectorUri = 'https://sector.group.example.cn/sector.json';
    const redirects = ['https://www.group-shop.example.cn/callback', 'https://pay.group-bank.example.cn/callback'];
    sectors.documents.set(sectorUri, redirects);
    const shop = await createClient(app.container, { redirectUris: [redirects[0]!], sectorIdentifierUri: sectorUri });
    const bank = await createClient(app.container, { redirectUris: [redirects[1]!], sectorIdentifierUri: sectorUri });
    assert.ok(sectors.requested.includes(sectorUri), 'the sector document was fetched');
    const atShop = await sub(app, shop, citizen);
    const atBank = await sub(app, bank, citizen);
    assert.equal(atShop, atBank);
    assert.equal(atShop, pairwiseCyberspaceId(app.container.config.secrets.pairwiseSecret, 'sector.group.example.cn', citizen.cyberspace_id));
    const alone = await createClient(app.container, { redirectUris: [redirects[0]!] });
    assert.notEqual(await sub(app, alone, citizen), atShop, 'without the sector URI the redirect host is the sector');
  });

  it('refuses an update that would move a client to another sector; a sector_identifier_uri on the old host keeps the sub', async () => {
    const client = await createClient(app.container, { redirectUris: ['https://old-host.example.cn/callback'] });
    const original = await sub(app, client, citizen);

    await assert.rejects(
      app.container.clients.updateClient(client.client_id, { redirectUris: ['https://new-host.example.cn/callback'] }),
      (error: unknown) => error instanceof ValidationError && /sector.*old-host\.example\.cn.*new-host\.example\.cn/.test(error.problems.join(' ')),
    );
    assert.deepEqual((await app.container.clients.findClient(client.client_id))!.redirect_uris, ['https://old-host.example.cn/callback'], 'unchanged');
    assert.equal(await sub(app, client, citizen), original);

    const sectorUri = 'https://old-host.example.cn/sector.json';
    sectors.documents.set(sectorUri, ['https://new-host.example.cn/callback']);
    await app.container.clients.updateClient(client.client_id, { redirectUris: ['https://new-host.example.cn/callback'], sectorIdentifierUri: sectorUri });
    assert.equal(await sub(app, { ...client, redirect_uri: 'https://new-host.example.cn/callback' }, citizen), original, 'moved host, same sector, same sub');
  });

  describe('sector_identifier_uri validation at registration', () => {
    const refused = async (input: Parameters<typeof createClient>[1], pattern: RegExp) => {
      const before = (await app.container.clients.listClients()).length;
      await assert.rejects(createClient(app.container, input), (error: unknown) => {
        assert.ok(error instanceof ValidationError, `ValidationError expected, got ${String(error)}`);
        assert.match(error.problems.join(' '), pattern);
        return true;
      });
      assert.equal((await app.container.clients.listClients()).length, before, 'nothing stored');
    };

    it('refuses a non-https sector_identifier_uri', async () => {
      const uri = 'http://sector.plain.example.cn/sector.json';
      sectors.documents.set(uri, ['https://plain.example.cn/callback']);
      await refused({ redirectUris: ['https://plain.example.cn/callback'], sectorIdentifierUri: uri }, /sector_identifier_uri.*https/);
    });

    it('refuses a sector document that does not list every redirect URI', async () => {
      const uri = 'https://sector.partial.example.cn/sector.json';
      sectors.documents.set(uri, ['https://a.partial.example.cn/callback']);
      await refused(
        { redirectUris: ['https://a.partial.example.cn/callback', 'https://b.partial.example.cn/callback'], sectorIdentifierUri: uri },
        /redirect_uris must be included/,
      );
    });

    it('refuses a sector document that is not a JSON array', async () => {
      const uri = 'https://sector.object.example.cn/sector.json';
      sectors.documents.set(uri, { redirect_uris: ['https://object.example.cn/callback'] });
      await refused({ redirectUris: ['https://object.example.cn/callback'], sectorIdentifierUri: uri }, /array/);
    });

    it('refuses redirect URIs on several hosts without a sector_identifier_uri', async () => {
      await refused({ redirectUris: ['https://one.example.cn/callback', 'https://two.example.cn/callback'] }, /sector_identifier_uri/);
    });
  });
});

describe('pairwise subjects across restarts and instances', () => {
  it('are the same on a second instance sharing the stores and secrets, and after a restart', async () => {
    const first = await startTestApp();
    let second: TestApp | undefined;
    let third: TestApp | undefined;
    try {
      const client = await createClient(first.container, { redirectUris: ['https://stable.example.cn/callback'] });
      const citizen = await createCitizen(first.container);
      const original = await sub(first, client, citizen);

      second = await startTestApp({ shareWith: first });
      assert.notEqual(second.url, first.url, 'a separate instance');
      assert.equal(await sub(second, client, citizen), original, 'second instance, same sub');

      await first.stop({ keepData: true });
      await second.stop({ keepData: true });
      second = undefined;
      third = await startTestApp({ shareWith: first });
      assert.equal(await sub(third, client, citizen), original, 'after a restart, same sub');
    } finally {
      await second?.stop({ keepData: true });
      await (third ?? first).stop().catch(() => undefined);
    }
  });
});
