// One instance of the project for bench/scale-out.ts, in its own process (a second instance in
// the same process would share its event loop and buy nothing). Started the way the tests
// start the app (test/support/test-app.ts), logging at warn, on the port and issuer given in
// the job on argv. The first instance creates the stores' namespace and, when asked, an ISP and
// live sessions (cookies, a refresh and an access token each); the others share its namespace.
// Prints one line `READY <json>`, serves until stdin closes, then stops (only the first
// instance drops the namespace).
import { createClient, createCitizen } from '../test/support/factories.js';
import { signIn } from '../test/support/flow.js';
import { redeem } from '../test/support/tokens.js';
import { startTestApp, type TestApp } from '../test/support/test-app.js';

export type InstanceJob = {
  port: number;
  issuer: string;
  shareWith?: Pick<TestApp, 'dataDir' | 'schema' | 'redisPrefix'>;
  /** Live sessions to create (first instance only). */
  sessions?: number;
};
export type Session = { cookies: Record<string, string>; refresh: string; access: string };
export type InstanceReady = {
  shareWith: Pick<TestApp, 'dataDir' | 'schema' | 'redisPrefix'>;
  client?: { client_id: string; client_secret: string; redirect_uri: string };
  sessions: Session[];
};

const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const job = JSON.parse(process.argv[2]!) as InstanceJob;
const app = await startTestApp({ port: job.port, shareWith: job.shareWith, env: { ISSUER: job.issuer, LOG_LEVEL: 'warn' } });

const ready: InstanceReady = { shareWith: { dataDir: app.dataDir, schema: app.schema, redisPrefix: app.redisPrefix }, sessions: [] };
if (job.sessions) {
  const created = await createClient(app.container, { name: 'Scale-out bench ISP', scope: 'openid offline_access' }) as NonNullable<InstanceReady['client']>;
  ready.client = created;
  for (let i = 0; i < job.sessions; i += 1) {
    const flow = await signIn(app.url, created, await createCitizen(app.container), { params: OFFLINE });
    const tokens = await redeem(app.url, created, flow);
    ready.sessions.push({ cookies: Object.fromEntries(flow.browser.cookies), refresh: tokens.refresh_token!, access: tokens.access_token });
  }
}
process.stdout.write(`READY ${JSON.stringify(ready)}\n`);

process.stdin.resume();
process.stdin.on('end', async () => {
  await app.stop({ keepData: Boolean(job.shareWith) });
  process.exit(0);
});
