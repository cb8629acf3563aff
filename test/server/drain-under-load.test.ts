// SIGTERM under keep-alive load (issue 9), with the real process: ten clients keep requests
// flowing on reused connections, through a simulated load balancer that health-checks /readyz
// every 200 ms and stops routing to the instance once it says 503 — as a real one does within
// DRAIN_SECONDS. No request may fail, be reset or be refused, and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLIENTS = 10;

type Outcome = { status: number } | { error: string };

function get(agent: http.Agent, port: number, pathname: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent, headers: { host: `localhost:${port}` } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode! }));
      res.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

describe('SIGTERM under keep-alive load (issue 9)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-drain-load-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('no request fails or is reset across the drain and the close; exits 0', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(DATABASE_URL|REDIS_URL|NODE_ENV|PORT|ISSUER|DATA_DIR)$/.test(key)) env[key] = value;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, DATA_DIR: dataDir, PORT: String(port), DRAIN_SECONDS: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let running = true;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running = false; resolve(code); }));
    try {
      const until = Date.now() + 45_000;
      while (!/Discovery:/.test(output)) {
        assert.ok(Date.now() < until && child.exitCode === null, `server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 1 });
      const counts = { ok: 0, failed: [] as string[], afterSignal: 0 };
      let signalled = false;
      let routed = true;
      const balancer = (async () => {
        while (routed && running) {
          const ready = await get(agent, port, '/readyz');
          if ('status' in ready && ready.status === 503) routed = false;
          else if (!('status' in ready)) counts.failed.push(`readyz ${ready.error}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const paths = ['/jwks', '/.well-known/openid-configuration', '/healthz'];
      const load = Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = 0; routed && running; i += 1) {
          const outcome = await get(agent, port, paths[(client + i) % paths.length]!);
          if (!('status' in outcome)) counts.failed.push(outcome.error);
          else if (outcome.status !== 200) counts.failed.push(`status ${outcome.status}`);
          else {
            counts.ok += 1;
            if (signalled) counts.afterSignal += 1;
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(counts.ok > 0, 'load is flowing before the signal');
      signalled = true;
      child.kill('SIGTERM');
      const code = await exited;
      await Promise.all([...load, balancer]);
      agent.destroy();
      assert.deepEqual(counts.failed, [], `failed, reset or refused requests (ok ${counts.ok})`);
      assert.ok(counts.afterSignal >= CLIENTS, `requests were served after the signal until the balancer noticed (${counts.afterSignal})`);
      assert.equal(code, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
