// The URLs of an ISP's that the provider calls itself — backchannel_logout_uri, jwks_uri,
// sector_identifier_uri — may not name loopback or private hosts in production, by the CLI or
// by dynamic registration, with an error naming the field (src/oidc/outbound-targets.ts);
// outside production they are allowed (here a real HTTP server on 127.0.0.1).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ispKey, jwksOf } from '../support/isp-keys.js';
import { ValidationError } from '../../src/errors.js';
import { outboundTargetProblems } from '../../src/oidc/outbound-targets.js';

const REDIRECT = 'https://shop.isp.example/callback';

describe('outbound targets of ISPs (backchannel_logout_uri, jwks_uri, sector_identifier_uri)', () => {
  let local: Server;
  let localUrl: string;
  let jwks: ReturnType<typeof jwksOf>;

  before(async () => {
    jwks = jwksOf(await ispKey('ES256'));
    // One machine's ISP: its keys, served on loopback.
    local = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/jwks.json') return void res.end(JSON.stringify(jwks));
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => local.close(resolve)));

  async function register(app: TestApp, metadata: Record<string, unknown>) {
    const { InitialAccessToken } = app.container.providerHolder.current();
    const token = await new InitialAccessToken({}).save();
    return request(app.url).post('/reg').set('authorization', `Bearer ${token}`).send({ redirect_uris: [REDIRECT], ...metadata });
  }

  describe('in production', () => {
    let app: TestApp;
    before(async () => (app = await startTestApp({ configure: (config) => void (config.env = 'production') })));
    after(async () => app.stop());

    const targets = () => [
      ['backchannel_logout_uri', { backchannel_logout_uri: `${localUrl}/logout` }, { backchannelLogoutUri: `${localUrl}/logout` }],
      ['jwks_uri', { jwks_uri: 'https://10.1.2.3/jwks.json', token_endpoint_auth_method: 'private_key_jwt' }, { jwksUri: 'https://10.1.2.3/jwks.json', tokenEndpointAuthMethod: 'private_key_jwt' as const }],
      ['sector_identifier_uri', { sector_identifier_uri: 'https://localhost/sector.json' }, { sectorIdentifierUri: 'https://localhost/sector.json' }],
    ] as const;

    it('refuses loopback and private targets at dynamic registration, naming the field', async () => {
      for (const [field, metadata] of targets()) {
        const before = (await app.container.clients.listClients()).length;
        const response = await register(app, metadata);
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.error, 'invalid_client_metadata');
        assert.match(response.body.error_description, new RegExp(`^${field} .* loopback or private address, which production refuses`));
        assert.equal((await app.container.clients.listClients()).length, before, 'nothing stored');
      }
    });

    it('refuses them from the operator CLI too', async () => {
      for (const [field, , input] of targets()) {
        await assert.rejects(app.container.clients.addClient({ name: 'Local ISP', redirectUris: [REDIRECT], ...input }),
          (error: unknown) => error instanceof ValidationError && error.problems.some((problem) => problem.startsWith(`${field} `) && problem.includes('production refuses')));
      }
    });

    it('accepts public host names', async () => {
      const response = await register(app, { backchannel_logout_uri: 'https://shop.isp.example/backchannel-logout', jwks });
      assert.equal(response.status, 201, JSON.stringify(response.body));
    });
  });

  describe('outside production', () => {
    let app: TestApp;
    before(async () => (app = await startTestApp()));
    after(async () => app.stop());

    // (A sector_identifier_uri must be https whatever the environment, OIDC Core §8.1, which a
    // loopback test server without a trusted certificate cannot offer; the rule itself is the
    // last test's.)
    it('registers an ISP whose back-channel and keys are on 127.0.0.1', async () => {
      const response = await register(app, { backchannel_logout_uri: `${localUrl}/logout`, jwks_uri: `${localUrl}/jwks.json`, token_endpoint_auth_method: 'private_key_jwt' });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.backchannel_logout_uri, `${localUrl}/logout`);
      const added = await app.container.clients.addClient({ name: 'Local ISP', redirectUris: [REDIRECT], backchannelLogoutUri: `${localUrl}/logout`, jwksUri: `${localUrl}/jwks.json`, tokenEndpointAuthMethod: 'private_key_jwt' });
      assert.ok(added.client_id);
    });
  });

  it('knows which hosts are loopback or private', () => {
    const refused = ['http://127.0.0.1/x', 'http://127.8.9.1/x', 'https://localhost/x', 'https://api.localhost/x', 'http://10.0.0.1/x', 'http://172.16.5.4/x', 'http://192.168.1.1/x', 'http://169.254.169.254/latest', 'http://100.64.0.1/x', 'http://0.0.0.0/x', 'http://[::1]/x', 'http://[fd00::1]/x', 'http://[fe80::1]/x', 'http://[::ffff:127.0.0.1]/x'];
    const allowed = ['https://isp.example/x', 'https://8.8.8.8/x', 'http://172.32.0.1/x', 'https://[2001:db8::1]/x', 'https://localhost.isp.example/x'];
    for (const uri of refused) assert.equal(outboundTargetProblems({ jwks_uri: uri }, { production: true }).length, 1, uri);
    for (const uri of allowed) assert.deepEqual(outboundTargetProblems({ jwks_uri: uri }, { production: true }), [], uri);
    assert.deepEqual(outboundTargetProblems({ jwks_uri: 'http://127.0.0.1/x' }, { production: false }), []);
  });
});
