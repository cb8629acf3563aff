// The load generator, run as its own process (bench/reference.ts spawns it) so that it does not
// share an event loop with the server it measures. Reads one job as JSON on stdin, keeps
// `connections` loops busy for `seconds` over keep-alive sockets, and prints one JSON line:
// operations, errors, seconds, p50 and p99 in ms. The same code drives both servers.
import { performance } from 'node:perf_hooks';
import { createSender, Jar } from './http.js';
import { roundRobin } from './round-robin.js';
import { authorize, basic, exchange, idTokenVerifier, postToken, type Credentials, type Target } from './flows.js';

export type Scenario =
  | { kind: 'request'; method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string }
  | { kind: 'refresh'; refreshTokens: string[] }
  | { kind: 'introspection'; token: string }
  | { kind: 'sign-in'; jars: Array<Record<string, string>> }
  | { kind: 'password-sign-in'; credentials: Credentials[] };
/** `backends`: origins to spread the issuer's requests over, in turn (bench/scale-out.ts). */
export type Job = { target: Target; connections: number; seconds: number; scenario: Scenario; backends?: string[] };
export type LoadResult = { operations: number; errors: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number; firstError?: string };

const job = JSON.parse(await new Promise<string>((resolve) => {
  let text = '';
  process.stdin.on('data', (c) => (text += c)).on('end', () => resolve(text));
})) as Job;
const { target: t, scenario } = job;
const sender = createSender(job.connections);
const { close } = sender;
const send = job.backends ? roundRobin(sender.send, t.issuer, job.backends) : sender.send;
const verify = await idTokenVerifier(send, t);

/** One operation for connection `i`; each connection keeps its own state (jar, refresh token). */
function operationFor(i: number): () => Promise<void> {
  switch (scenario.kind) {
    case 'request': return async () => {
      const reply = await send(scenario.method, `${t.issuer}${scenario.path}`, scenario.headers, scenario.body);
      if (reply.status !== 200) throw new Error(`${reply.status} ${reply.body.slice(0, 200)}`);
    };
    case 'introspection': return async () => {
      const reply = await send('POST', `${t.issuer}/token/introspection`, { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t) }, `token=${scenario.token}`);
      if (reply.status !== 200 || !(JSON.parse(reply.body) as { active: boolean }).active) throw new Error(`${reply.status} ${reply.body.slice(0, 200)}`);
    };
    case 'refresh': {
      let token = scenario.refreshTokens[i]!;
      return async () => {
        const tokens = await postToken(send, t, { grant_type: 'refresh_token', refresh_token: token });
        if (!tokens.refresh_token || tokens.refresh_token === token) throw new Error('refresh token not rotated');
        token = tokens.refresh_token;
      };
    }
    case 'sign-in': {
      const jar = new Jar(scenario.jars[i]);
      return async () => {
        const flow = await authorize(send, t, jar);
        await verify((await exchange(send, t, flow)).id_token, flow.nonce);
      };
    }
    case 'password-sign-in': {
      const credentials = scenario.credentials[i]!;
      return async () => {
        const flow = await authorize(send, t, new Jar(), { credentials });
        await verify((await exchange(send, t, flow)).id_token, flow.nonce);
      };
    }
  }
}

const durations: number[] = [];
let errors = 0;
let firstError: string | undefined;
const started = performance.now();
const deadline = started + job.seconds * 1000;
await Promise.all(Array.from({ length: job.connections }, async (_, i) => {
  const operation = operationFor(i);
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      await operation();
      durations.push(performance.now() - t0);
    } catch (error) {
      errors += 1;
      firstError ??= String(error);
      if (errors > 1000) return;
    }
  }
}));
const seconds = (performance.now() - started) / 1000;
close();
durations.sort((a, b) => a - b);
const at = (q: number) => durations.length ? durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]! : NaN;
const result: LoadResult = { operations: durations.length, errors, seconds, perSecond: durations.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), ...(firstError ? { firstError } : {}) };
process.stdout.write(`${JSON.stringify(result)}\n`);
