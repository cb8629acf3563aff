// Which algorithm signs a client's ID tokens (OIDC Dynamic Client Registration §2): RS256 for a
// client that does not ask, by dynamic registration and by the CLI; ES256, PS256 and EdDSA on
// request; a client registered before RS256 became the default keeps what it was registered with.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient, putInService } from '../support/factories.js';
import { signIn, type Credentials } from '../support/flow.js';
import { redeem, type TestClient } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';
import * as idTokenAlgKept from '../../migrations/20261202060000_id_token_alg_kept.js';

describe('ID token signing algorithms', () => {
  let app: TestApp;
  let citizen: Credentials;
  before(async () => {
    app = await startTestApp();
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  async function register(metadata: Record<string, unknown>) {
    const token = await new (app.container.providerHolder.current().InitialAccessToken)({}).save();
    const response = await request(app.url).post('/reg').set('authorization', `Bearer ${token}`).send(metadata);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const body = response.body as { client_id: string; client_secret: string; redirect_uris: string[]; id_token_signed_response_alg: string };
    await putInService(app.container, body.client_id);
    return { client: { client_id: body.client_id, client_secret: body.client_secret, redirect_uri: body.redirect_uris[0]! }, alg: body.id_token_signed_response_alg };
  }

  /** Signs in, and verifies the ID token against the published JWKS with exactly `alg`. */
  async function assertSignedWith(client: TestClient, alg: string) {
    const tokens = await redeem(app.url, client, await signIn(app.url, client, citizen));
    assert.equal(decodeProtectedHeader(tokens.id_token).alg, alg);
    const jwks = createRemoteJWKSet(new URL(`${app.url}/jwks`));
    await jwtVerify(tokens.id_token, jwks, { issuer: app.url, audience: client.client_id, algorithms: [alg] });
  }

  it('discovery offers RS256, ES256, PS256 and EdDSA, and JWKS has a key for each', async () => {
    const metadata = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.deepEqual([...metadata.id_token_signing_alg_values_supported!].sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
    const jwks = (await (await fetch(`${app.url}/jwks`)).json()) as { keys: Array<{ alg: string }> };
    assert.deepEqual(jwks.keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
  });

  it('a client registered through /reg without naming an algorithm gets RS256', async () => {
    const { client, alg } = await register({ redirect_uris: ['https://reg.isp.example/callback'] });
    assert.equal(alg, 'RS256', 'the registration response says so');
    await assertSignedWith(client, 'RS256');
  });

  async function cliAdd(...extra: string[]) {
    const result = await runCommand(app.container, ['client', 'add', '--name', 'CLI ISP', '--redirect-uri', 'https://cli.isp.example/cb', '--json', ...extra]);
    assert.equal(result.exitCode ?? 0, 0, result.output);
    const created = JSON.parse(result.output) as { client_id: string; client_secret: string };
    await putInService(app.container, created.client_id);
    return { ...created, redirect_uri: 'https://cli.isp.example/cb' };
  }

  it('a client added with `cyberid client add` without --id-token-alg gets RS256, and `client show` says so', async () => {
    const client = await cliAdd();
    const shown = await runCommand(app.container, ['client', 'show', client.client_id]);
    assert.match(shown.output, /RS256/);
    assert.equal((await app.container.clients.findClient(client.client_id))?.id_token_signed_response_alg, 'RS256');
    await assertSignedWith(client, 'RS256');
  });

  for (const requested of ['ES256', 'PS256', 'EdDSA'] as const) {
    it(`${requested} on request, through /reg and through the CLI`, async () => {
      const registered = await register({ redirect_uris: ['https://reg.isp.example/callback'], id_token_signed_response_alg: requested });
      assert.equal(registered.alg, requested);
      await assertSignedWith(registered.client, requested);
      await assertSignedWith(await cliAdd('--id-token-alg', requested), requested);
    });
  }

  it('the CLI refuses an algorithm we do not sign with, naming the ones it accepts', async () => {
    const result = await runCommand(app.container, ['client', 'add', '--name', 'X', '--redirect-uri', 'https://isp.example/cb', '--id-token-alg', 'HS256']);
    assert.equal(result.exitCode, 2);
    assert.match(result.output, /RS256, ES256, PS256, EdDSA/);
  });

  it('existing clients keep the algorithm they registered with; one stored without any keeps the old default ES256', async () => {
    const kept = await createClient(app.container, { idTokenSigningAlg: 'ES256' });
    const bare = await createClient(app.container);
    const { knex } = app.container.db;
    // A row as an older release could have left it: no algorithm stored at all.
    await knex.raw(`UPDATE clients SET metadata = metadata - 'id_token_signed_response_alg' WHERE client_id = ?`, [bare.client_id]);
    await idTokenAlgKept.up(knex);
    await assertSignedWith(kept, 'ES256');
    await assertSignedWith(bare, 'ES256');
    await app.container.clients.updateClient(kept.client_id, { name: 'Renamed ISP' });
    await assertSignedWith(kept, 'ES256');
  });
});
