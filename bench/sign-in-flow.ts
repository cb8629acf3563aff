// End-to-end sign-ins per second through the real HTTP app: authorize → login form (argon2) →
// consent (first time) → code → token exchange, many citizens in parallel. Run on PostgreSQL +
// Redis, and on the embedded stores, and prints both and their ratio.
import { performance } from 'node:perf_hooks';
import { startTestApp, type TestApp } from '../test/support/test-app.js';
import { createClient, createCitizen } from '../test/support/factories.js';
import { signIn, exchangeCode } from '../test/support/flow.js';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 60);
const CONCURRENCY = 8;

async function run(app: TestApp): Promise<{ flowsPerSecond: number; p50Ms: number; p95Ms: number }> {
  const client = await createClient(app.container, { name: 'Bench ISP' });
  // One at a time: the hasher's bounded queue (src/services/password-hasher.ts) sheds a burst.
  const citizens: Array<Awaited<ReturnType<typeof createCitizen>>> = [];
  for (let i = 0; i < FLOWS; i += 1) citizens.push(await createCitizen(app.container));
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < FLOWS) {
      const citizen = citizens[next++]!;
      const t0 = performance.now();
      const flow = await signIn(app.url, client, citizen);
      const tokens = await exchangeCode(app.url, client, flow.code!, flow.verifier);
      if (tokens.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(tokens.body)}`);
      durations.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!;
  return { flowsPerSecond: FLOWS / seconds, p50Ms: at(0.5), p95Ms: at(0.95) };
}

export async function benchSignInFlow() {
  const results: Array<{ stores: string; flowsPerSecond: number; p50Ms: number; p95Ms: number }> = [];
  for (const [stores, env] of [
    ['PostgreSQL + Redis', {}],
    ['embedded (PGlite + memory)', { DATABASE_URL: '', REDIS_URL: '' }],
  ] as const) {
    const app = await startTestApp({ env: { ...env, LOG_LEVEL: 'warn' } });
    try {
      results.push({ stores, ...(await run(app)) });
    } finally {
      await app.stop();
    }
  }
  return results;
}
