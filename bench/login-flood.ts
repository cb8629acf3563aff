// `npx tsx bench/login-flood.ts`: floods password sign-ins (unknown IDs, so every attempt costs
// an argon2 hash) and meanwhile measures the p99 latency of discovery, JWKS, token (refresh),
// userinfo and introspection, as a ratio against the same measurement without the flood. The
// hasher's bounded queue (src/services/password-hasher.ts) sheds the excess with 503, so the
// other endpoints should keep their latency. Prints numbers only; never part of `npm test`.
// The load runs in this process; the server's argon2 work runs on libuv's thread pool.
import { performance } from 'node:perf_hooks';
import { startTestApp } from '../test/support/test-app.js';
import { createCitizen, createClient } from '../test/support/factories.js';
import { basicAuth, signIn } from '../test/support/flow.js';
import { redeem } from '../test/support/tokens.js';
import { openLogin, submitLogin } from '../test/web/web-support.js';
import { isPage } from '../test/support/browser.js';
import { generateCyberspaceId } from '../src/ids/cyberspace-id.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const FLOODERS = Number(process.env.BENCH_FLOODERS ?? 64);

const app = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
const client = await createClient(app.container, { name: 'Flood bench ISP', scope: 'openid offline_access' }) as { client_id: string; client_secret: string; redirect_uri: string };
const citizen = await createCitizen(app.container);
const tokens = await redeem(app.url, client, await signIn(app.url, client, citizen));
const auth = basicAuth(client.client_id, client.client_secret);

const probes: Record<string, () => Promise<Response>> = {
  discovery: () => fetch(`${app.url}/.well-known/openid-configuration`),
  jwks: () => fetch(`${app.url}/jwks`),
  userinfo: () => fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
  introspection: () => fetch(`${app.url}/token/introspection`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${tokens.access_token}` }),
  // A refused grant still runs the whole endpoint (client authentication, stores).
  token: () => fetch(`${app.url}/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=unknown&redirect_uri=' + encodeURIComponent(client.redirect_uri) }),
};

async function p99s(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, probe] of Object.entries(probes)) {
    const durations: number[] = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const t0 = performance.now();
      await (await probe()).arrayBuffer();
      durations.push(performance.now() - t0);
    }
    durations.sort((a, b) => a - b);
    out[name] = durations[Math.floor(0.99 * (durations.length - 1))]!;
  }
  return out;
}

const quiet = await p99s();
let flooding = true;
const outcomes = { served: 0, shed: 0 };
const opened = await Promise.all(Array.from({ length: FLOODERS }, () => openLogin(app.url, client)));
const flood = Promise.all(opened.map(async (o) => {
  while (flooding) {
    const result = await submitLogin(o, generateCyberspaceId(), 'flood password that matches nobody');
    if (isPage(result) && result.status === 503) outcomes.shed += 1;
    else outcomes.served += 1;
  }
}));
const loaded = await p99s();
flooding = false;
await flood;

console.log(`login flood: ${FLOODERS} concurrent sign-ins; hasher maxConcurrent ${app.container.config.passwordHashing.maxConcurrent}, queue ${app.container.config.passwordHashing.maxQueued}`);
console.log(`  sign-ins answered ${outcomes.served}, shed with 503 ${outcomes.shed}`);
console.log('  endpoint        p99 quiet   p99 flooded   ratio');
for (const name of Object.keys(probes)) {
  console.log(`  ${name.padEnd(14)} ${quiet[name]!.toFixed(1).padStart(8)} ms ${loaded[name]!.toFixed(1).padStart(10)} ms   ${(loaded[name]! / quiet[name]!).toFixed(2)}×`);
}
await app.stop();
process.exit(0);
