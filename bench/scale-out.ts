// `npm run bench:scale-out`: what a second instance buys. Starts one instance of the project
// (bench/scale-out-instance.ts, its own process) on the shared PostgreSQL + Redis, drives each
// scenario with the keep-alive load generator (bench/load/worker.ts, its own process), then
// starts a second instance on the same stores and the same issuer and drives the same scenarios
// with every request sent to the next instance in turn (bench/load/round-robin.ts) — so one
// sign-in's steps and one refresh token's rotations cross instances, and any state that is not
// shared shows up as errors. Prints throughput, p50/p99, errors and the ratio two/one, and writes
// bench/results/scale-out.json. Numbers only: never part of `npm test`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/test-app.js';
import type { Target } from './load/flows.js';
import type { Job, LoadResult, Scenario } from './load/worker.js';
import type { InstanceJob, InstanceReady, Session } from './scale-out-instance.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

type Instance = { url: string; ready: InstanceReady; child: ChildProcess };

async function startInstance(job: InstanceJob): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'scale-out-instance.ts'), JSON.stringify(job)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<InstanceReady>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance on port ${job.port} exited ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)) as InstanceReady);
    });
  });
  child.removeAllListeners('exit');
  return { url: `http://127.0.0.1:${job.port}`, ready, child };
}

function stopInstance(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    instance.child.once('exit', () => resolve());
    instance.child.stdin!.end();
  });
}

function load(target: Target, backends: string[], scenario: Scenario): Promise<LoadResult> {
  const job: Job = { target, connections: CONNECTIONS, seconds: SECONDS, scenario, backends };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'load/worker.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stdin.end(JSON.stringify(job));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load worker exited ${code}`)))));
}

const scenarios: Array<{ name: string; scenario: (s: Session[]) => Scenario }> = [
  { name: 'userinfo', scenario: (s) => ({ kind: 'request', method: 'GET', path: '/me', headers: { authorization: `Bearer ${s[0]!.access}` } }) },
  { name: 'refresh (rotating)', scenario: (s) => ({ kind: 'refresh', refreshTokens: s.map((x) => x.refresh) }) },
  { name: 'sign-in, live session (authorize → code → token → ID token verified)', scenario: (s) => ({ kind: 'sign-in', jars: s.map((x) => x.cookies) }) },
];

export type ScaleOutRow = { scenario: string; one: LoadResult; two: LoadResult; ratio: number };

export async function benchScaleOut() {
  const [portA, portB] = [await freePort(), await freePort()];
  // One issuer for both, as behind a load balancer: the first instance's address.
  const issuer = `http://127.0.0.1:${portA}`;
  const first = await startInstance({ port: portA, issuer, sessions: 2 * CONNECTIONS });
  let second: Instance | undefined;
  const rows: ScaleOutRow[] = [];
  try {
    const target: Target = { issuer, ...first.ready.client! };
    // Fresh sessions for each run: refresh tokens rotate, so the first run's are spent.
    const sessionsOne = first.ready.sessions.slice(0, CONNECTIONS);
    const sessionsTwo = first.ready.sessions.slice(CONNECTIONS);
    const one: LoadResult[] = [];
    for (const s of scenarios) one.push(await load(target, [first.url], s.scenario(sessionsOne)));
    second = await startInstance({ port: portB, issuer, shareWith: first.ready.shareWith });
    for (const [i, s] of scenarios.entries()) {
      const two = await load(target, [first.url, second.url], s.scenario(sessionsTwo));
      rows.push({ scenario: s.name, one: one[i]!, two, ratio: two.perSecond / one[i]!.perSecond });
      report(rows.at(-1)!);
    }
  } finally {
    if (second) await stopInstance(second);
    await stopInstance(first);
  }
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'cpu', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg(), date: new Date().toISOString() };
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results/scale-out.json'), `${JSON.stringify({ machine, secondsPerScenario: SECONDS, connections: CONNECTIONS, rows }, null, 2)}\n`);
  return { machine, rows };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US').padStart(7);
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
function report(row: ScaleOutRow) {
  const line = (label: string, r: LoadResult) => `  ${label} ${n(r.perSecond)}/s p50 ${ms(r.p50Ms)} p99 ${ms(r.p99Ms)}   errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`;
  console.log(`${row.scenario}\n${line('one instance ', row.one)}\n${line('two instances', row.two)}   ratio two/one ${row.ratio.toFixed(2)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(`one instance, then two on the same PostgreSQL + Redis, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per scenario (${os.cpus().length} CPUs, shared with the load generator and the stores)\n`);
  await benchScaleOut();
  process.exit(0);
}
