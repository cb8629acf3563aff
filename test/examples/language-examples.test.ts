// The developer portal's working examples (examples/node, examples/python, examples/go), each
// run as its own process against the real server: the citizen signs in and consents through the
// provider's forms, and the example — not a copy of it — must report the pairwise sub, the acr
// and the consented claims from a verified ID token and from userinfo, and must refuse a
// callback it did not start. Each language's toolchain is required under CI (.ci/run).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, freePort, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { pairwiseCyberspaceId } from '../../src/oidc/pairwise.js';
import { isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { ACR_PASSWORD } from '../../src/sign-in/acr.js';
import { commandProblem, requireToolchain, signInThroughExample, startExample, type Received, type RunningExample } from './example-support.js';

const SCOPE = 'openid age verified';
// Debian's python3 sees Debian's python3-authlib; a pyenv python3 earlier on PATH would not.
const PYTHON = '/usr/bin/python3';
// Debian's Go packages live in a GOPATH; nothing is downloaded (GOPROXY=off).
const GO_ENV = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOPROXY: 'off', GOFLAGS: '' };
const source = (file: string) => path.join(PROJECT_ROOT, 'examples', file);

type Example = {
  name: string;
  /** What is missing to run it, if anything. */
  toolchainProblem(): string | undefined;
  /** The command that runs it (building it first where the language needs that). */
  command(workDir: string): Promise<[string, string[]]>;
};

const EXAMPLES: Example[] = [
  {
    name: 'Node, openid-client (examples/node)',
    toolchainProblem: () => undefined,
    command: async () => [process.execPath, ['--import', 'tsx', source('node/openid-client-rp.ts')]],
  },
  {
    name: 'Python, Authlib (examples/python)',
    toolchainProblem: () => commandProblem(PYTHON, ['-c', 'import authlib, requests']) && 'Python with Authlib is missing (apt-get install python3-authlib python3-requests)',
    command: async () => [PYTHON, [source('python/authlib_rp.py')]],
  },
  {
    name: 'Go, go-oidc and x/oauth2 (examples/go)',
    toolchainProblem: () =>
      commandProblem('go', ['list', 'github.com/coreos/go-oidc', 'golang.org/x/oauth2'], GO_ENV) &&
      'Go with go-oidc and x/oauth2 is missing (apt-get install golang-go golang-github-coreos-go-oidc-dev golang-golang-x-oauth2-dev)',
    async command(workDir) {
      const binary = path.join(workDir, 'isp-example');
      const problem = commandProblem('go', ['build', '-o', binary, source('go/main.go')], { ...GO_ENV, GOCACHE: path.join(workDir, 'cache') });
      assert.equal(problem, undefined, 'the Go example builds');
      return [binary, []];
    },
  },
];

describe('the developer portal examples, run against the real server', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  for (const example of EXAMPLES) {
    describe(example.name, () => {
      let workDir: string;
      let running: RunningExample | undefined;
      let client: Awaited<ReturnType<typeof createClient>>;

      before(async function () {
        requireToolchain(this, example.toolchainProblem());
        workDir = mkdtempSync(path.join(tmpdir(), 'cyberid-example-'));
        const [command, args] = await example.command(workDir);
        const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
        client = await createClient(app.container, { name: `Example ISP ${example.name}`, redirectUris: [redirectUri], scope: SCOPE });
        running = await startExample(command, args, { ISSUER: app.url, CLIENT_ID: client.client_id, CLIENT_SECRET: client.client_secret!, SCOPE }, redirectUri);
      });
      after(async () => {
        await running?.stop();
        if (workDir) rmSync(workDir, { recursive: true, force: true });
      });

      it('signs a citizen in and reports the pairwise sub, the acr and the consented claims', async () => {
        const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
        const callback = await signInThroughExample(app.url, running!, citizen);
        assert.equal(callback.status, 200, callback.text);
        const received = JSON.parse(callback.text) as Received;

        const pairwise = pairwiseCyberspaceId(app.container.config.secrets.pairwiseSecret, '127.0.0.1', citizen.cyberspace_id);
        assert.equal(received.sub, pairwise, 'the sub is the pairwise cyberspace ID for the example\'s sector');
        assert.ok(isValidCyberspaceId(received.sub));
        const claims = received.id_token_claims;
        assert.equal(claims.sub, pairwise);
        assert.equal(claims.iss, app.url);
        assert.ok(claims.aud === client.client_id || (Array.isArray(claims.aud) && claims.aud.includes(client.client_id)));
        assert.equal(claims.acr, ACR_PASSWORD);
        assert.deepEqual(claims.amr, ['pwd']);
        assert.equal(claims.age_over_18, true);
        assert.equal(claims.age_over_14, true);
        assert.equal(typeof claims.identity_assurance_level, 'string', 'the verified scope\'s result');

        assert.equal(received.userinfo.sub, pairwise);
        for (const claim of ['age_over_14', 'age_over_16', 'age_over_18', 'real_name_verified', 'identity_assurance_level']) {
          assert.deepEqual(received.userinfo[claim], claims[claim], `userinfo's ${claim} as the ID token's`);
        }
        assert.ok(running!.output().includes(pairwise), 'the example printed what it received');
      });

      it('refuses a return whose state is not the one it sent, although its code is real', async () => {
        const citizen = await app.container.citizens.createTestCitizen();
        const callback = await signInThroughExample(app.url, running!, citizen, (url) => url.searchParams.set('state', 'not-the-one-sent'));
        assert.equal(callback.status, 400, callback.text);
        assert.doesNotMatch(callback.text, /"sub"/);
      });
    });
  }
});
