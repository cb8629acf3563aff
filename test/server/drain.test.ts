// Draining on SIGTERM (issue 9), with the real process (`node --import tsx src/main.ts`) and a
// keep-alive client: /readyz turns 503 at once, requests are still served for DRAIN_SECONDS with
// `Connection: close`, then the process exits 0 — no request on a reused connection is reset.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function get(agent: http.Agent, port: number, pathname: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathname, agent, headers: { host: `localhost:${port}` } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    }).once('error', reject);
  });
}

describe('SIGTERM drains before stopping (issue 9)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-drain-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('readiness 503 at once, keeps serving with Connection: close for the drain period, exits 0', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(DATABASE_URL|REDIS_URL|NODE_ENV|PORT|ISSUER|DATA_DIR)$/.test(key)) env[key] = value;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, DATA_DIR: dataDir, PORT: String(port), DRAIN_SECONDS: '2', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const until = Date.now() + 45_000;
      while (!/Discovery:/.test(output)) {
        assert.ok(Date.now() < until && child.exitCode === null, `server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      assert.equal((await get(agent, port, '/readyz')).status, 200);
      // Warm keep-alive connections, then SIGTERM.
      await Promise.all(Array.from({ length: 4 }, () => get(agent, port, '/.well-known/openid-configuration')));
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ready = await get(agent, port, '/readyz');
      assert.equal(ready.status, 503, 'readiness says 503 as soon as the drain starts');
      assert.equal(ready.headers.connection, 'close');
      // Requests during the drain, on reused connections, all succeed and are told to close.
      let served = 0;
      while (Date.now() - signalled < 1_500) {
        const answers = await Promise.all(Array.from({ length: 4 }, () => get(agent, port, '/jwks')));
        for (const answer of answers) {
          assert.equal(answer.status, 200);
          assert.equal(answer.headers.connection, 'close');
          served += 1;
        }
      }
      assert.ok(served >= 4);
      assert.equal(await exited, 0, output);
      assert.ok(Date.now() - signalled >= 2_000, 'exited only after the drain period');
      agent.destroy();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
