// `npm start` as a newcomer runs it: no DATABASE_URL, no REDIS_URL, no NODE_ENV — embedded
// PGlite and in-memory stores, development secrets generated under DATA_DIR, a demo ISP and a
// demo citizen, a graceful stop on SIGTERM; and configuration errors exit non-zero listing
// every problem. Each test spawns the real process (`node --import tsx src/main.ts`).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STARTUP_TIMEOUT_MS = 45_000;

type Server = {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** The environment a developer's shell would give `npm start`, minus anything configuring us. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const configured = /^(NODE_ENV|PORT|ISSUER|DATABASE_URL|REDIS_URL|DATA_DIR|LOG_LEVEL|TRUST_PROXY|COOKIE_SECRETS|PAIRWISE_SECRET|BLIND_INDEX_SECRET|KEY_ENCRYPTION_KEYS|METRICS_TOKEN|METRICS_ADDRESS|AUTH_LOG_RETENTION_DAYS)(_FILE)?$/;
  for (const [key, value] of Object.entries(process.env)) if (!configured.test(key)) env[key] = value;
  return { ...env, ...extra };
}

const children = new Set<ChildProcess>();

function spawnMain(env: Record<string, string>): Omit<Server, 'url'> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited };
}

/** Starts the server and waits until it has printed how to try a login. */
async function startServer(dataDir: string, port: number, extra: Record<string, string> = {}): Promise<Server> {
  const server = spawnMain({ DATA_DIR: dataDir, PORT: String(port), ...extra });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after ${STARTUP_TIMEOUT_MS} ms:\n${server.output()}`)), STARTUP_TIMEOUT_MS);
    const check = () => {
      if (/Discovery:\s+\S+/.test(server.output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.child.stdout!.on('data', check);
    void server.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${server.output()}`));
    });
  });
  await ready;
  return { ...server, url: `http://localhost:${port}` };
}

async function stopServer(server: Server) {
  server.child.kill('SIGTERM');
  const { code, signal } = await server.exited;
  assert.equal(signal, null, `exited by signal ${signal}:\n${server.output()}`);
  assert.equal(code, 0, `exit code ${code}:\n${server.output()}`);
}

async function jwksKids(url: string): Promise<string[]> {
  const { keys } = (await (await fetch(`${url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((k) => k.kid).sort();
}

const demoCredentials = (output: string) => ({
  cyberspace_id: /cyberspace ID:\s+([0-9A-Z]+)/.exec(output)?.[1],
  password: /password:\s+(\S+)/.exec(output)?.[1],
});

/** The demo ISP's button → sign-in → consent → back at /demo-isp/callback with verified claims. */
async function demoLogin(url: string, credentials: { cyberspace_id: string; password: string }) {
  const browser = new Browser(url);
  const home = await browser.navigate('/demo-isp');
  assert.ok(isPage(home) && home.status === 200);
  assert.ok(home.document.querySelector('a[href="/demo-isp/login"]'), 'the demo ISP offers a login button');
  const login = await browser.navigate('/demo-isp/login');
  assert.ok(isPage(login), 'the sign-in page, on the provider');
  assert.ok(login.document.querySelector('form[action$="/login"]'), `sign-in form expected at ${login.url}`);
  let result = await browser.submit(login, 'form[action$="/login"]', credentials);
  assert.ok(isPage(result), 'the callback is served by the demo ISP on the same origin');
  // Consent is asked the first time; once given it may be remembered.
  if (result.document.querySelector('form[action$="/confirm"]')) {
    result = await browser.submit(result as Page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
  }
  assert.ok(isPage(result), 'the callback is served by the demo ISP on the same origin');
  assert.equal(new URL(result.url).pathname, '/demo-isp/callback');
  assert.equal(result.status, 200);
  const alert = result.document.querySelector('[role="alert"]');
  assert.ok(!alert, `the demo ISP reports an error: ${alert?.text.trim()}`);
  const claims = JSON.parse(result.document.querySelector('pre.claims')!.text) as Record<string, unknown>;
  return { claims, browser, loginPage: login };
}

describe('npm start (embedded stores, development)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let port: number;
  let first: Server;
  let firstRun: { kids: string[]; demo: string; citizen: string; sub: string } | undefined;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-start-'));
    port = await freePort();
    first = await startServer(dataDir, port);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves discovery for its issuer and prints how to try a login', async () => {
    const response = await fetch(`${first.url}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const meta = (await response.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, first.url);
    assert.equal(meta.jwks_uri, `${first.url}/jwks`);
    const out = first.output();
    assert.match(out, new RegExp(`${first.url}/demo-isp`));
    const demo = demoCredentials(out);
    assert.ok(demo.cyberspace_id && isValidCyberspaceId(demo.cyberspace_id), `a demo cyberspace ID is printed:\n${out}`);
    assert.ok(demo.password, 'a demo password is printed');
    assert.match(out, /embedded PGlite/);
    assert.ok(existsSync(path.join(dataDir, 'development-secrets.json')), 'development secrets generated under DATA_DIR');
    assert.ok(existsSync(path.join(dataDir, 'pgdata')), 'embedded database under DATA_DIR');
  });

  it('the demo ISP login works end to end and yields a verified pairwise sub', async () => {
    const demo = demoCredentials(first.output()) as { cyberspace_id: string; password: string };
    const { claims } = await demoLogin(first.url, demo);
    assert.equal(claims.iss, first.url);
    assert.ok(typeof claims.sub === 'string' && isValidCyberspaceId(claims.sub));
    assert.notEqual(claims.sub, demo.cyberspace_id);
    firstRun = {
      kids: await jwksKids(first.url),
      demo: readFileSync(path.join(dataDir, 'demo.json'), 'utf8'),
      citizen: demo.cyberspace_id,
      sub: claims.sub,
    };
  });

  it('SIGTERM lets an in-flight sign-in finish, then exits 0', async () => {
    const demo = demoCredentials(first.output()) as { cyberspace_id: string; password: string };
    const browser = new Browser(first.url);
    const login = await browser.navigate('/demo-isp/login');
    assert.ok(isPage(login));
    const form = login.document.querySelector('form[action$="/login"]')!;
    const body = new URLSearchParams();
    for (const input of form.querySelectorAll('input')) if (input.getAttribute('name')) body.set(input.getAttribute('name')!, input.getAttribute('value') ?? '');
    body.set('cyberspace_id', demo.cyberspace_id);
    body.set('password', demo.password);
    const payload = Buffer.from(body.toString());
    const action = new URL(form.getAttribute('action')!, login.url);

    // Headers and half the body now; SIGTERM; the rest later. The request is in flight the whole time.
    const request = http.request(action, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(payload.length),
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    request.write(payload.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(first.child.exitCode, null, 'still running while a request is in flight');
    request.end(payload.subarray(10));

    const answered = await response;
    answered.resume();
    assert.ok(answered.statusCode! >= 200 && answered.statusCode! < 400, `status ${answered.statusCode}`);
    assert.match(String(answered.headers.location ?? ''), /\/auth\//, 'the sign-in succeeded and resumes the authorization');
    const answeredAt = Date.now();
    const { code, signal } = await first.exited;
    assert.ok(Date.now() - answeredAt < 2500, `exits promptly once the request is done (took ${Date.now() - answeredAt} ms), not after the keep-alive timeout`);
    assert.equal(signal, null);
    assert.equal(code, 0, first.output());
    assert.match(first.output(), /shutting down/);
    assert.ok(!existsSync(path.join(dataDir, 'cli.sock')), 'the CLI bridge socket is removed');
  });

  it('after a restart on the same DATA_DIR, keeps the JWKS kids, the demo client and the demo citizen', async () => {
    assert.ok(firstRun, 'needs the first run');
    // This start also serves metrics on a listener of their own (METRICS_ADDRESS).
    const metricsPort = await freePort();
    const second = await startServer(dataDir, port, { METRICS_ADDRESS: `127.0.0.1:${metricsPort}` });
    try {
      assert.equal((await fetch(`${second.url}/metrics`)).status, 404, 'not on the public port');
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /cyberid_http_request_duration_seconds/);
      assert.deepEqual(await jwksKids(second.url), firstRun.kids, 'same signing keys');
      assert.equal(readFileSync(path.join(dataDir, 'demo.json'), 'utf8'), firstRun.demo, 'same demo client and citizen');
      const demo = demoCredentials(second.output()) as { cyberspace_id: string; password: string };
      assert.equal(demo.cyberspace_id, firstRun.citizen, 'the same demo citizen is printed');
      const { claims } = await demoLogin(second.url, demo);
      assert.equal(claims.sub, firstRun.sub, 'the demo citizen has the same sub at the demo ISP');
    } finally {
      await stopServer(second);
    }
  });
});

describe('start-up configuration errors', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-start-bad-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function failingStart(env: Record<string, string>) {
    const run = spawnMain(env);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
    const { code } = await run.exited;
    clearTimeout(timer);
    return { code, output: run.output() };
  }

  it('NODE_ENV=production without configuration exits non-zero naming DATABASE_URL, REDIS_URL, ISSUER and each secret', async () => {
    const { code, output } = await failingStart({ NODE_ENV: 'production', DATA_DIR: dataDir });
    assert.notEqual(code, 0);
    assert.equal(code, 1);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ISSUER', 'COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']) {
      assert.match(output, new RegExp(`\\b${name}\\b`), `${name} named in:\n${output}`);
    }
    assert.doesNotMatch(output, /\n\s+at /, 'a message, not a stack trace');
    assert.ok(!existsSync(path.join(dataDir, 'pgdata')), 'nothing opened');
  });

  it('an invalid PORT exits non-zero listing it together with every other problem', async () => {
    const { code, output } = await failingStart({ DATA_DIR: dataDir, PORT: 'http', LOG_LEVEL: 'chatty', REDIS_URL: 'localhost:6379' });
    assert.equal(code, 1);
    for (const name of ['PORT', 'LOG_LEVEL', 'REDIS_URL']) assert.match(output, new RegExp(`\\b${name}\\b`), `${name} named in:\n${output}`);
    assert.doesNotMatch(output, /\n\s+at /, 'a message, not a stack trace');
  });
});
