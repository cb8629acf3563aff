// `npm run isp-demo`: the provider (embedded stores, as `npm start`) and the ISP demo together.
// On the first start it registers the demo with the operator CLI (reviewed and put into
// service), creates a test citizen with a birth date, and keeps both in DATA_DIR/isp-demo.json;
// the provider's own first start seeds the sandbox identities. Ctrl-C stops both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const port = Number(process.env.PORT ?? 3000);
const issuer = process.env.ISSUER ?? `http://localhost:${port}`;
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, 'data'));
const demoUrl = process.env.DEMO_URL ?? 'http://127.0.0.1:4100';
const env = { ...process.env, PORT: String(port), ISSUER: issuer, DATA_DIR: dataDir };
const tsx = (file: string) => [process.execPath, ['--import', 'tsx', path.join(root, file)]] as const;

type Setup = { client_id: string; client_secret: string; cyberspace_id: string; password: string };
const children: ChildProcess[] = [];
const stop = () => children.forEach((child) => child.kill());
process.on('SIGINT', stop).on('SIGTERM', stop);

/** Runs the operator CLI (it hands the command to the running provider) and returns its output. */
function cli(...args: string[]): string {
  const [node, script] = tsx('src/cli/main.ts');
  const result = spawnSync(node, [...script, ...args], { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cyberid ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

async function waitUntilReady() {
  for (let tries = 0; tries < 120; tries += 1) {
    if (await fetch(`${issuer}/readyz`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the provider did not become ready at ${issuer}`);
}

function registerDemo(): Setup {
  const file = path.join(dataDir, 'isp-demo.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Setup;
    try {
      cli('client', 'show', saved.client_id);
      return saved;
    } catch {
      // registered in a database that is gone: register again
    }
  }
  const client = JSON.parse(cli('client', 'add', '--name', 'ISP demo', '--name-zh', 'ISP 演示',
    '--redirect-uri', `${demoUrl}/callback`, '--post-logout-redirect-uri', `${demoUrl}/`,
    '--backchannel-logout-uri', `${demoUrl}/backchannel-logout`, '--scope', 'openid age verified', '--json')) as Setup;
  for (const decision of ['approve', 'activate']) cli('client', decision, client.client_id, '--reason', 'ISP demo, registered by npm run isp-demo');
  const citizen = JSON.parse(cli('citizen', 'add-test', '--birth-date', '1990-05-17', '--json')) as Setup;
  const setup = { client_id: client.client_id, client_secret: client.client_secret, cyberspace_id: citizen.cyberspace_id, password: citizen.password };
  writeFileSync(file, JSON.stringify(setup, null, 2), { mode: 0o600 });
  return setup;
}

const [node, provider] = tsx('src/main.ts');
children.push(spawn(node, [...provider], { cwd: root, env, stdio: 'inherit' }));
await waitUntilReady();
const setup = registerDemo();
const [, demo] = tsx('examples/isp-demo/server.ts');
children.push(spawn(node, [...demo], { cwd: root, env: { ...env, CLIENT_ID: setup.client_id, CLIENT_SECRET: setup.client_secret, DEMO_URL: demoUrl }, stdio: 'inherit' }));
console.log(`
  ISP demo: open ${demoUrl}/ and sign in as the test citizen
    cyberspace ID: ${setup.cyberspace_id}
    password:      ${setup.password}
  Provider: ${issuer} (data in ${dataDir}). Ctrl-C stops both.
`);
for (const child of children) child.once('exit', stop);
