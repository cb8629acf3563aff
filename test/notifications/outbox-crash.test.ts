// The durable outbox survives a crash between commit and delivery: a child process (the real
// container) commits an event with its notice and starts delivering it; the SMTP server reads
// the message but never acknowledges it, and the test SIGKILLs the child right then. A new
// process delivers the notice after restart, exactly once — on PostgreSQL and on the embedded
// PGlite default alike. A third process then finds nothing left to send.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { realServices } from '../support/real-services.js';
import { uniqueName } from '../support/stores.js';
import { startSmtpServer, type TestSmtpServer } from '../support/mail.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Child = { child: ChildProcess; output: () => string; exited: Promise<NodeJS.Signals | number | null> };

function spawnChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/notifications/outbox-child.ts'], {
    cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(child: Child, text: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (Date.now() > deadline || child.child.exitCode !== null) throw new Error(`child never printed "${text}":\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const store of ['PostgreSQL', 'embedded PGlite'] as const) {
  describe(`durable outbox across a crash (${store})`, function () {
    this.timeout(120_000);
    let smtp: TestSmtpServer;
    let dataDir: string;
    let databaseUrl: string | undefined;
    const schema = uniqueName('t');
    const children: Child[] = [];

    before(async function () {
      databaseUrl = store === 'PostgreSQL' ? (await realServices()).databaseUrl : undefined;
      if (store === 'PostgreSQL' && !databaseUrl) this.skip();
      smtp = await startSmtpServer();
      dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-outbox-'));
    });

    after(async () => {
      for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
      await smtp?.close();
      if (databaseUrl) {
        const knex = knexFactory({ client: 'pg', connection: databaseUrl });
        await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
        await knex.destroy();
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const envFor = (mode: 'enqueue' | 'work') => ({
      NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SMTP_URL: smtp.url,
      NOTIFY_LEASE_SECONDS: '1', NOTIFY_RETRY_BASE_SECONDS: '1',
      OUTBOX_CHILD_MODE: mode, OUTBOX_CHILD_SCHEMA: databaseUrl ? schema : '',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });

    it('delivers the notice committed before a SIGKILL exactly once after restart', async () => {
      const held = smtp.holdNext();
      const first = spawnChild(envFor('enqueue'));
      children.push(first);
      await waitForOutput(first, 'committed');
      await held; // the message is on the wire, not acknowledged
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');
      assert.equal(smtp.delivered.length, 0, 'nothing was delivered before the kill');

      const second = spawnChild(envFor('work'));
      children.push(second);
      const [mail] = await smtp.waitFor(1, 30_000);
      assert.equal(mail!.to, 'holder@example.test');
      assert.equal(mail!.messageId, `<crash-test-notice.email@localhost>`);
      assert.match(mail!.subject, /password of your cyberspace ID account was changed/);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // past the lease and a retry
      second.child.kill('SIGKILL');
      await second.exited;

      const third = spawnChild(envFor('work'));
      children.push(third);
      await waitForOutput(third, 'worker running');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      third.child.kill('SIGTERM');
      await third.exited;
      assert.equal(smtp.delivered.length, 1, 'the notice was sent once, never again');
    });
  });
}
