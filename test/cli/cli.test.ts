// The operator CLI contract (DESIGN.md "Operator CLI"): `bin/cyberid.js` spawned as an operator
// runs it, against its own PostgreSQL database (created here, dropped afterwards), and in the
// embedded mode through a running server's Unix-socket bridge. What the CLI writes is checked
// through the real services, and what it registers is used for real sign-ins.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { decodeJwt } from 'jose';
import { loadConfig } from '../../src/config/config.js';
import { buildContainer, type Container } from '../../src/container.js';
import { createApp } from '../../src/app.js';
import { listen, type RunningServer } from '../../src/server.js';
import { migrations } from '../../migrations/index.js';
import { isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { freePort } from '../support/test-app.js';
import { realServices, TEST_REDIS_URL } from '../support/real-services.js';
import { exchangeCode, signIn } from '../support/flow.js';
import { bridgePath, serveCliBridge } from '../../src/cli/bridge.js';
import { passwordSignIn } from '../support/sign-in.js';
import { localInvoker } from '../../src/cli/invoker.js';

const invoker = localInvoker();

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG_VARS = /^(NODE_ENV|PORT|ISSUER|DATABASE_URL|REDIS_URL|DATA_DIR|LOG_LEVEL|TRUST_PROXY|COOKIE_SECRETS|PAIRWISE_SECRET|BLIND_INDEX_SECRET|KEY_ENCRYPTION_KEYS|IDENTITY_AUTHORITY_\w+)(_FILE)?$/;

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARS.test(key)) env[key] = value;
  return { ...env, ...extra };
}

type Run = { code: number | null; stdout: string; stderr: string };

function run(command: string[], args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cyberid = (args: string[], env: Record<string, string>) => run(['bin/cyberid.js'], args, env);

function ok(result: Run): Run {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

const json = <T = Record<string, unknown>>(result: Run): T => JSON.parse(ok(result).stdout) as T;

const secret = () => randomBytes(32).toString('base64url');

describe('cyberid CLI on PostgreSQL', function () {
  this.timeout(120_000);
  const dbName = `cyberid_cli_${randomBytes(5).toString('hex')}`;
  let dataDir: string;
  const secrets = { COOKIE_SECRETS: secret(), PAIRWISE_SECRET: secret(), BLIND_INDEX_SECRET: secret(), KEY_ENCRYPTION_KEYS: `ops1:${secret()}` };
  let admin: Knex;
  let databaseUrl: string;
  let env: Record<string, string>;
  let container: Container | undefined;
  let server: RunningServer | undefined;
  const created: { confidential?: { client_id: string; client_secret: string }; public?: { client_id: string }; citizen?: { cyberspace_id: string; password: string } } = {};

  before(async function () {
    const services = await realServices();
    if (!services.databaseUrl) this.skip();
    dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-cli-'));
    admin = knexFactory({ client: 'pg', connection: services.databaseUrl, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [dbName]);
    const url = new URL(services.databaseUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.href;
    env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...secrets };
  });

  after(async () => {
    await server?.stop();
    if (!server) await container?.close();
    if (admin) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [dbName]);
      await admin.destroy();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The services, in this process, on the database the CLI writes (same secrets). */
  async function services(): Promise<Container> {
    container ??= await buildContainer(loadConfig({ ...env, NODE_ENV: 'test', PORT: String(await freePort()) }), { migrate: false, logLevel: 'silent' });
    return container;
  }

  const countRows = async (table: string) => Number(((await (await services()).db.knex(table).count({ n: '*' })) as Array<{ n: string }>)[0]!.n);

  it('refuses to work on a database with pending migrations, pointing at `cyberid migrate`', async () => {
    const result = await cyberid(['client', 'list'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pending migration.*cyberid migrate/);
  });

  it('migrate applies every migration, then reports the schema up to date', async () => {
    const first = ok(await cyberid(['migrate'], env));
    for (const [name] of migrations) assert.ok(first.stdout.includes(name), `${name} reported as applied:\n${first.stdout}`);
    assert.match(ok(await cyberid(['migrate'], env)).stdout, /up to date/);
    // Acting on the database directly is on record with the shell account and host (issue 11).
    const entries = await (await services()).audit.latest({ limit: 10 });
    const migrated = entries.filter((e) => e.type === 'database.migrated');
    assert.equal(migrated.length, 2);
    assert.deepEqual(migrated.map((e) => e.details.count), [0, migrations.length]);
    assert.ok(migrated.every((e) => e.details.os_user === invoker.os_user && e.details.host === invoker.host), JSON.stringify(migrated));
  });

  it('operator bootstrap prints a one-time enrolment code once, and refuses a second time', async () => {
    const first = json<{ operator: { handle: string; roles: string[] }; enrolment_code: string }>(await cyberid(['operator', 'bootstrap', '--handle', 'li.ops', '--json'], env));
    assert.equal(first.operator.handle, 'li.ops');
    assert.equal(first.operator.roles.length, 6);
    assert.ok(first.enrolment_code.length >= 24);
    const again = await cyberid(['operator', 'bootstrap', '--handle', 'wang.ops'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /bootstrapped already/);
    const [entry] = (await (await services()).audit.latest({ limit: 5 })).filter((e) => e.type === 'operator.bootstrapped');
    assert.equal(entry!.details.os_user, invoker.os_user);
  });

  it('client add --json prints exactly client_id and client_secret, and stores that secret', async () => {
    const printed = json<{ client_id: string; client_secret: string }>(await cyberid([
      'client', 'add', '--name', 'Operator ISP', '--redirect-uri', 'https://ops-isp.example.cn/callback',
      '--post-logout-redirect-uri', 'https://ops-isp.example.cn/bye', '--json',
    ], env));
    assert.deepEqual(Object.keys(printed).sort(), ['client_id', 'client_secret']);
    const stored = await (await (await services()).clients.loadClient(printed.client_id))?.metadata;
    assert.ok(stored, 'the client exists');
    assert.equal(stored.client_secret, printed.client_secret);
    assert.deepEqual(stored.redirect_uris, ['https://ops-isp.example.cn/callback']);
    assert.equal(stored.client_name, 'Operator ISP');
    created.confidential = printed;
  });

  it('client add --public prints no secret and registers a client without one', async () => {
    const printed = json<{ client_id: string }>(await cyberid(['client', 'add', '--name', 'App', '--redirect-uri', 'https://spa.example.cn/callback', '--public', '--json'], env));
    assert.deepEqual(Object.keys(printed), ['client_id']);
    const stored = await (await (await services()).clients.loadClient(String(printed.client_id)))?.metadata;
    assert.equal(stored?.token_endpoint_auth_method, 'none');
    assert.equal(stored?.client_secret, undefined);
    created.public = printed;
  });

  it('client list, update, and the onboarding decisions with their reasons', async () => {
    const id = created.confidential!.client_id;

    const updated = json<{ name: string; redirect_uris: string[] }>(await cyberid([
      'client', 'update', id, '--name', 'Operator ISP (renamed)', '--redirect-uri', 'https://ops-isp.example.cn/callback', '--redirect-uri', 'https://ops-isp.example.cn/callback2',
    ], env));
    assert.equal(updated.name, 'Operator ISP (renamed)');
    assert.deepEqual(updated.redirect_uris, ['https://ops-isp.example.cn/callback', 'https://ops-isp.example.cn/callback2']);
    const stored = (await (await services()).clients.loadClient(id))?.metadata;
    assert.equal(stored?.client_secret, created.confidential!.client_secret, 'update keeps the secret');

    const other = created.public!.client_id;
    const refused = await cyberid(['client', 'approve', other], env);
    assert.equal(refused.code, 2, 'a decision needs a reason');
    assert.match(refused.stderr, /--reason is required/);
    ok(await cyberid(['client', 'approve', other, '--reason', 'documents checked'], env));
    assert.match(ok(await cyberid(['client', 'activate', other, '--reason', 'integration tested'], env)).stdout, /is now active/);
    assert.match(ok(await cyberid(['client', 'suspend', other, '--reason', 'complaint under review'], env)).stdout, /is now suspended; 0 grant\(s\)/);
    const list = json<Array<{ client_id: string; name: string; status: string }>>(await cyberid(['client', 'list', '--json'], env));
    assert.deepEqual(list.map((c) => c.name).sort(), ['App', 'Operator ISP (renamed)']);
    assert.equal(list.find((c) => c.client_id === other)?.status, 'suspended');
    assert.equal(list.find((c) => c.client_id === id)?.status, 'submitted', 'client add lands in review');
    const history = json<Array<{ to: string; reason: string }>>(await cyberid(['client', 'history', other], env));
    assert.deepEqual(history.map((h) => [h.to, h.reason]), [['approved', 'documents checked'], ['active', 'integration tested'], ['suspended', 'complaint under review']]);
  });

  it('citizen add-test --json prints a cyberspace ID and a password that sign in', async () => {
    const printed = json<{ cyberspace_id: string; password: string }>(await cyberid(['citizen', 'add-test', '--json'], env));
    assert.deepEqual(Object.keys(printed).sort(), ['cyberspace_id', 'password']);
    assert.ok(isValidCyberspaceId(printed.cyberspace_id));
    const signedIn = await passwordSignIn((await services()).signIn, printed.cyberspace_id, printed.password);
    assert.equal(signedIn.step, 'done');
    created.citizen = printed;
  });

  it('citizen add-test is refused in production and creates nothing', async () => {
    const before = await countRows('citizens');
    const result = await cyberid(['citizen', 'add-test', '--json'], {
      ...env,
      NODE_ENV: 'production',
      REDIS_URL: TEST_REDIS_URL,
      ISSUER: 'https://id.example.cn',
      IDENTITY_AUTHORITY_URL: 'https://authority.example.cn/v1/verify',
      IDENTITY_AUTHORITY_TOKEN: secret(),
    });
    assert.equal(result.code, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stderr, /production/);
    assert.doesNotMatch(result.stderr, /Invalid configuration/, 'refused by the command, not by a configuration error');
    assert.equal(result.stdout, '');
    assert.equal(await countRows('citizens'), before);
  });

  it('keys rotate refuses an --activate-after shorter than the instances\' key reload (issue 9)', async () => {
    const before = (await (await services()).keys.describeKeys()).length;
    const result = await cyberid(['keys', 'rotate', '--activate-after', '0'], env);
    assert.equal(result.code, 2, `a usage error; stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stderr, /--activate-after must be at least 30 seconds/);
    assert.equal((await (await services()).keys.describeKeys()).length, before, 'no key was added');
  });

  it('keys rotate adds one pending key per algorithm', async () => {
    const rotated = json<{ new_kids: string[]; activates_at: string }>(await cyberid(['keys', 'rotate', '--json'], env));
    assert.equal(rotated.new_kids.length, 4);
    assert.ok(Date.parse(rotated.activates_at) > Date.now(), 'activates later (every instance publishes it first)');
    const keys = await (await services()).keys.describeKeys();
    for (const kid of rotated.new_kids) assert.equal(keys.find((k) => k.kid === kid)?.state, 'pending');
    assert.deepEqual(keys.filter((k) => rotated.new_kids.includes(k.kid)).map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
  });

  it('what the CLI registered works on a server: sign-in with its client and citizen, dynamic registration with its token', async () => {
    const token = json<{ initial_access_token: string }>(await cyberid(['registration-token', 'create', '--json'], env));
    assert.ok(token.initial_access_token);

    const app = createApp(await services());
    server = await listen(app, await services(), Number(new URL((await services()).config.issuer).port), 500);
    const issuer = (await services()).config.issuer;

    const client = { ...created.confidential!, redirect_uri: 'https://ops-isp.example.cn/callback2' };
    ok(await cyberid(['client', 'approve', client.client_id, '--reason', 'reviewed'], env));
    ok(await cyberid(['client', 'activate', client.client_id, '--reason', 'in service'], env));
    const flow = await signIn(issuer, client, created.citizen!);
    assert.ok(flow.code, flow.callback.href);
    const tokens = await exchangeCode(issuer, client, flow.code, flow.verifier);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.ok(isValidCyberspaceId(decodeJwt(tokens.body.id_token!).sub!));

    const registration = (body: unknown, bearer?: string) => fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    const metadata = { client_name: 'Self-registered ISP', redirect_uris: ['https://self.example.cn/callback'] };
    assert.equal((await registration(metadata)).status, 401, 'registration needs the initial access token');
    const registered = await registration(metadata, token.initial_access_token);
    assert.equal(registered.status, 201, await registered.clone().text());
  });

  it('an unknown command prints the usage and exits 2', async () => {
    const results = await Promise.all([['frobnicate'], ['client', 'frobnicate']].map((args) => cyberid(args, env)));
    for (const result of results) {
      assert.equal(result.code, 2);
      assert.match(result.stdout, /usage: cyberid/);
      assert.match(result.stdout, /client add/);
    }
  });

  it('a bad redirect URI is refused with a clear error, exit 1, and nothing written', async () => {
    const before = await countRows('clients');
    const bad = ['http://plain.example.cn/callback', 'https://frag.example.cn/callback#x', 'not a uri'];
    const result = await cyberid(['client', 'add', '--name', 'Bad', '--redirect-uri', 'https://fine.example.cn/cb', ...bad.flatMap((uri) => ['--redirect-uri', uri]), '--json'], env);
    assert.equal(result.code, 1, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /^error: /m);
    for (const uri of bad) assert.ok(result.stderr.includes(uri), `the error names ${uri}: ${result.stderr}`);
    assert.ok(!result.stderr.includes('https://fine.example.cn/cb'), 'only the bad URIs are named');
    assert.equal(result.stdout, '');
    assert.equal(await countRows('clients'), before);
  });
});

describe('CLI bridge socket', () => {
  it('is owner-only from the moment it exists (no window in which other local users can connect)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberid-bridge-'));
    try {
      const bridge = serveCliBridge({ config: { dataDir: dir } } as unknown as Container);
      assert.equal(statSync(bridgePath(dir)).mode & 0o777, 0o600, 'right after serveCliBridge returns');
      await bridge.close();
      assert.throws(() => statSync(bridgePath(dir)), /ENOENT/, 'removed on close');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cyberid CLI on the embedded store, with no server running', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberid-cli-noserver-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('refuses to create a second, empty database, names the DATA_DIR and a database found in ./data', async () => {
    const elsewhere = tempDir();
    ok(await run(['bin/cyberid.js'], ['migrate'], { DATA_DIR: path.join(elsewhere, 'data'), LOG_LEVEL: 'warn' }));
    const empty = tempDir();
    const result = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/cyberid.js'), 'client', 'list', '--json'], { cwd: elsewhere, env: cleanEnv({ DATA_DIR: empty, LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.ok(result.stderr.includes(`DATA_DIR=${empty}`), result.stderr);
    assert.ok(result.stderr.includes(`DATA_DIR=${path.join(elsewhere, 'data')}`), `names the database elsewhere: ${result.stderr}`);
    assert.throws(() => statSync(path.join(empty, 'pgdata')), /ENOENT/, 'no database was created');
  });

  it('opens an existing database directly and says which DATA_DIR it used', async () => {
    const dataDir = tempDir();
    ok(await cyberid(['migrate'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }));
    const result = await cyberid(['client', 'list', '--json'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    assert.ok(Array.isArray(json(result)));
    assert.ok(result.stderr.includes(`DATA_DIR=${dataDir} (opened directly`), result.stderr);
  });
});

describe('cyberid CLI on the embedded store, with the server running', function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: ChildProcess | undefined;
  let exited: Promise<number | null>;
  let issuer: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-cli-embedded-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: cleanEnv({ ...env, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    exited = new Promise((resolve) => server!.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server not ready:\n${output}`)), 45_000);
      server!.stdout!.on('data', () => {
        if (/Discovery:/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`server exited ${code}:\n${output}`)));
    });
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('forwards commands through the owner-only socket; the new client and citizen work on the running server', async () => {
    assert.equal(statSync(path.join(dataDir, 'cli.sock')).mode & 0o777, 0o600);
    const client = json<{ client_id: string; client_secret: string }>(await cyberid(['client', 'add', '--name', 'Embedded ISP', '--redirect-uri', 'https://embedded.example.cn/callback', '--json'], env));
    assert.ok(client.client_secret);
    ok(await cyberid(['client', 'approve', client.client_id, '--reason', 'reviewed'], env));
    ok(await cyberid(['client', 'activate', client.client_id, '--reason', 'in service'], env));
    const citizen = json<{ cyberspace_id: string; password: string }>(await cyberid(['citizen', 'add-test', '--json'], env));

    const flow = await signIn(issuer, { ...client, redirect_uri: 'https://embedded.example.cn/callback' }, citizen);
    assert.ok(flow.code, flow.callback.href);
    const tokens = await exchangeCode(issuer, { ...client, redirect_uri: 'https://embedded.example.cn/callback' }, flow.code, flow.verifier);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(decodeJwt(tokens.body.id_token!).aud, client.client_id);
  });

  it('records the shell user and host of a command sent through the bridge', async () => {
    ok(await cyberid(['operator', 'bootstrap', '--handle', 'zhao.ops'], env));
    const entries = json<Array<{ type: string; details: Record<string, unknown> }>>(await cyberid(['audit', 'tail', '--json', '--limit', '50'], env));
    const entry = entries.find((e) => e.type === 'operator.bootstrapped')!;
    assert.equal(entry.details.os_user, invoker.os_user);
    assert.equal(entry.details.host, invoker.host);
  });

  it('reports a refused command through the bridge with exit 1 on stderr, writing nothing', async () => {
    const result = await cyberid(['client', 'add', '--name', 'Bad', '--redirect-uri', 'http://plain.example.cn/cb', '--json'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: .*http:\/\/plain\.example\.cn\/cb/);
    const listed = await cyberid(['client', 'list', '--json'], env);
    const names = json<Array<{ name: string }>>(listed).map((c) => c.name).sort();
    assert.deepEqual(names, ['Demo ISP', 'Embedded ISP']);
    assert.ok(listed.stderr.includes(`DATA_DIR=${dataDir} (through the running server)`), listed.stderr);
  });
});
