// Runs an example ISP from examples/ as its own process, the way a developer would, and drives
// a citizen through it: the ISP's start page, the provider's sign-in and consent forms, and back
// to the ISP's callback with the cookie the ISP set. What the example printed is what it received.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Browser, isPage } from '../support/browser.js';
import type { Credentials } from '../support/flow.js';

export type RunningExample = { url: string; output: () => string; stop: () => Promise<void> };

/**
 * Whether a language's toolchain is here. Missing it is a failure under CI (.ci/run installs
 * it), and a skip on a developer's machine, with what to install.
 */
export function requireToolchain(context: Mocha.Context, problem: string | undefined) {
  if (!problem) return;
  assert.ok(process.env.CI !== 'true', `${problem} (.ci/run installs it)`);
  context.skip();
}

/** The problem with running `command args…`, or undefined when it exits 0. */
export function commandProblem(command: string, args: string[], env: Record<string, string> = {}): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) return `${command} is not installed: ${result.error.message}`;
  return result.status === 0 ? undefined : `${command} ${args.join(' ')} failed: ${result.stderr.trim().split('\n').at(-1)}`;
}

/** Starts the example and waits for it to say it listens (it has done discovery by then). */
export async function startExample(command: string, args: string[], env: Record<string, string>, redirectUri: string): Promise<RunningExample> {
  const child: ChildProcess = spawn(command, args, { env: { ...process.env, ...env, REDIRECT_URI: redirectUri }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = new URL(redirectUri).origin;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start in time:\n${stdout}\n${stderr}`)), 20000);
    const check = () => {
      if (stdout.includes(` on ${origin}/`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return {
    url: `${origin}/`,
    output: () => stdout + stderr,
    async stop() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

/** A citizen's visit: the ISP's start page sets its login cookie and sends the browser to the provider. */
async function startVisit(example: RunningExample) {
  const start = await fetch(example.url, { redirect: 'manual' });
  assert.equal(start.status, 302, `the example starts a login: ${await start.text()}`);
  const cookie = start.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  assert.ok(cookie, 'the example binds the login to the browser with a cookie');
  return { authorizationUrl: new URL(start.headers.get('location')!), cookie };
}

/**
 * Signs the citizen in and consents at the provider, then lets the browser land on the example's
 * callback — as the provider sent it, or as `alter` changed it (an attacker's forged return).
 */
export async function signInThroughExample(issuer: string, example: RunningExample, citizen: Credentials, alter?: (callback: URL) => void) {
  const { authorizationUrl, cookie } = await startVisit(example);
  assert.equal(authorizationUrl.origin, issuer, 'the example sends the citizen to the provider');
  for (const param of ['state', 'nonce', 'code_challenge']) assert.ok(authorizationUrl.searchParams.get(param), `the example sends ${param}`);
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  const browser = new Browser(issuer);
  let result = await browser.navigate(authorizationUrl.href);
  for (let step = 0; step < 3 && isPage(result); step += 1) {
    result = result.document.querySelector('form[action$="/login"]')
      ? await browser.submit(result, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password })
      : await browser.submit(result, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
  }
  assert.ok(!isPage(result), `the provider sends the citizen back to the example, not ${isPage(result) ? result.url : ''}`);
  assert.equal(result.redirectedTo.origin + '/', example.url);
  alter?.(result.redirectedTo);
  const callback = await fetch(result.redirectedTo, { headers: { cookie }, redirect: 'manual' });
  return { status: callback.status, text: await callback.text() };
}

export type Received = { sub: string; id_token_claims: Record<string, unknown>; userinfo: Record<string, unknown> };
