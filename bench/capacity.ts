// `npm run bench:capacity`: the capacity model of docs/scale.md, computed from the measured
// figures in bench/results/ (latest.json: per-process throughput and store commands per
// operation; sizes.json: bytes per record; scale-out.json: what a second instance bought) and
// the assumptions below. Prints the inputs and the tables as Markdown, to paste into the doc
// after a new run. Arithmetic only: it starts nothing.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = <T>(name: string): T | undefined => (existsSync(path.join(here, 'results', name)) ? JSON.parse(readFileSync(path.join(here, 'results', name), 'utf8')) as T : undefined);

type Measured = { perSecond: number };
type LatestRow = { scenario: string; reference: Measured; project: Measured; ratio: number; perOperation: { postgresQueries: number; redisCommands: number } };
const latest = read<{ machine: { date: string; node: string }; rows: LatestRow[] }>('latest.json')!;
const sizes = read<{ machine: { date: string }; records: number; postgresPerCitizen: { bytes: number }; postgresPerApplicationAuditEntry: { bytes: number }; redisPerSession: { bytes: number }; postgresPerSignIn: { grantBytes: number; authenticationLogBytes: number; authenticationLogEntries: number }; templateSignIn: { refresh: { added: Array<{ model: string; bytes: number; ttl: number }> } } }>('sizes.json')!;
const scaleOut = read<{ machine: { date: string }; rows: Array<{ scenario: string; ratio: number; one: { errors: number }; two: { errors: number } }> }>('scale-out.json');
const row = (word: string) => latest.rows.find((r) => r.scenario.toLowerCase().startsWith(word))!;

// Assumptions (docs/scale.md says why each).
export const ASSUME = {
  citizens: 1e9,
  peakSignIns: 100_000, // per second, national peak
  passwordShares: [0.1, 0.3, 1] as const, // of sign-ins that need a password (argon2id)
  utilisation: 0.6, // target CPU use of app cores at peak
  liveSessions: 3e8, // sessions alive at peak (24 h session lifetime)
  peakRefreshes: 50_000, // refresh-token rotations per second at peak
  redisCommandsPerShard: 100_000, // per second, one primary, at its target load
  redisBytesPerShard: 25 * 2 ** 30, // data per primary (a 64 GiB host: fork, fragmentation, replication buffers)
  postgresRowsPerPrimary: 50_000, // single-row inserts/updates per second one primary sustains
  averageSignIns: 10_000, // per second over a day, for log volume
  averageRefreshes: 10_000, // per second over a refresh token's lifetime, for the tokens it keeps
  logRetentionDays: 183,
};

// Throughput on this shared machine moves with other people's load (a full run at a load
// average near 20 gave a sixtieth of a quiet run's discovery rate); the ratio to the bare library
// in the same run does not move as much. So: the project's rate per process is its ratio in the
// newest run times the library's rate in the quietest full run here, and argon2id's rate (a
// property of the cores) is that run's too.
export const CEILING = {
  source: 'bench/results/latest.json at commit 20a85be (2026-12-03 14:22 UTC)',
  liveSignIns: 343, refreshes: 838, argon2VerifiesOn2Cores: 29,
};
const live = row('sign-in, live session');
const refresh = row('refresh');
const password = row('password sign-in');
const rLive = live.ratio * CEILING.liveSignIns;
const rRefresh = refresh.ratio * CEILING.refreshes;
const argon2PerCore = CEILING.argon2VerifiesOn2Cores / 2; // 2 in flight on 2 cores
const refreshToken = sizes.templateSignIn.refresh.added.find((k) => k.model === 'RefreshToken')!;
// Rows written, counted with the knex query log on one flow each (docs/scale.md).
const WRITES = { liveSignIn: 4, passwordSignIn: 5, refresh: 1 };

const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const bytes = (b: number) => (b >= 2 ** 40 ? `${n(b / 2 ** 40, 1)} TiB` : b >= 2 ** 30 ? `${n(b / 2 ** 30, 1)} GiB` : `${n(b / 2 ** 20, 1)} MiB`);
const lines: string[] = [];
const out = (s = '') => lines.push(s);

out(`Measured: bench/results/latest.json of ${latest.machine.date} (${latest.machine.node}; the library's quiet rates from ${CEILING.source}), sizes.json of ${sizes.machine.date} (${n(sizes.records)} records)${scaleOut ? `, scale-out.json of ${scaleOut.machine.date}` : ''}.`);
out();
out('| input | value |');
out('|---|---|');
out(`| live-session sign-ins per second, one process (r_live): ratio to the library × its quiet rate | ${n(live.ratio, 2)} × ${n(CEILING.liveSignIns)} = ${n(rLive)} (this run measured ${n(live.project.perSecond)}) |`);
out(`| refreshes per second, one process (r_refresh) | ${n(refresh.ratio, 2)} × ${n(CEILING.refreshes)} = ${n(rRefresh)} (measured ${n(refresh.project.perSecond)}) |`);
out(`| raw argon2id verifies per second per core (r_argon2), quiet run | ${n(argon2PerCore, 1)} |`);
out(`| Redis commands per live-session sign-in / password sign-in / refresh | ${n(live.perOperation.redisCommands)} / ${n(password.perOperation.redisCommands)} / ${n(refresh.perOperation.redisCommands)} |`);
out(`| PostgreSQL queries per live-session sign-in / password sign-in / refresh | ${n(live.perOperation.postgresQueries)} / ${n(password.perOperation.postgresQueries)} / ${n(refresh.perOperation.postgresQueries)} |`);
out(`| PostgreSQL bytes per citizen (row and indexes) + its application's audit entry | ${n(sizes.postgresPerCitizen.bytes)} + ${n(sizes.postgresPerApplicationAuditEntry.bytes)} |`);
out(`| Redis bytes per active session (session, its index, grant set, access and refresh token) | ${n(sizes.redisPerSession.bytes)} |`);
out(`| Redis bytes per refresh rotation, kept ${n(refreshToken.ttl / 86400)} days | ${n(refreshToken.bytes)} |`);
out(`| PostgreSQL bytes per authentication log entry | ${n(sizes.postgresPerSignIn.authenticationLogBytes / sizes.postgresPerSignIn.authenticationLogEntries)} |`);
if (scaleOut) out(`| two instances / one on 2 cores (userinfo, refresh, sign-in) | ${scaleOut.rows.map((r) => n(r.ratio, 2)).join(', ')} (errors: ${scaleOut.rows.reduce((a, r) => a + r.one.errors + r.two.errors, 0)}) |`);
out();

const S = ASSUME.peakSignIns;
out(`Application cores at ${n(S)} sign-ins/s and ${n(ASSUME.peakRefreshes)} refreshes/s, ${n(ASSUME.utilisation * 100)}% target use:`);
out();
out('| password share p | OAuth cores S/r_live | argon2id cores S·p/r_argon2 | refresh cores R/r_refresh | total at target use |');
out('|---|---|---|---|---|');
for (const p of ASSUME.passwordShares) {
  const oauth = S / rLive;
  const argon = (S * p) / argon2PerCore;
  const refreshes = ASSUME.peakRefreshes / rRefresh;
  out(`| ${n(p * 100)}% | ${n(oauth)} | ${n(argon)} | ${n(refreshes)} | ${n((oauth + argon + refreshes) / ASSUME.utilisation)} |`);
}
out();

out(`Redis Cluster primaries (each with one replica), ${n(ASSUME.liveSessions / 1e6)} M live sessions, ${n(ASSUME.averageRefreshes)} rotations/s on average:`);
out();
out('| password share p | commands/s | primaries for commands | memory: sessions | memory: consumed refresh tokens kept | primaries for memory |');
out('|---|---|---|---|---|---|');
for (const p of ASSUME.passwordShares) {
  const commands = S * ((1 - p) * live.perOperation.redisCommands + p * password.perOperation.redisCommands) + ASSUME.peakRefreshes * refresh.perOperation.redisCommands;
  const sessionsMemory = ASSUME.liveSessions * sizes.redisPerSession.bytes;
  // Every rotation leaves the consumed token in place until its own expiry.
  const rotated = ASSUME.averageRefreshes * refreshToken.ttl * refreshToken.bytes;
  out(`| ${n(p * 100)}% | ${n(commands / 1e6, 2)} M | ${n(Math.ceil(commands / ASSUME.redisCommandsPerShard))} | ${bytes(sessionsMemory)} | ${bytes(rotated)} | ${n(Math.ceil(sessionsMemory / ASSUME.redisBytesPerShard))} + ${n(Math.ceil(rotated / ASSUME.redisBytesPerShard))} |`);
}
out();

out('PostgreSQL:');
out();
const citizensBytes = ASSUME.citizens * (sizes.postgresPerCitizen.bytes + sizes.postgresPerApplicationAuditEntry.bytes);
const writes = S * WRITES.liveSignIn + ASSUME.peakRefreshes * WRITES.refresh;
const logPerDay = ASSUME.averageSignIns * 86400 * (sizes.postgresPerSignIn.authenticationLogBytes / sizes.postgresPerSignIn.authenticationLogEntries) * 2.5;
out('| quantity | formula | value |');
out('|---|---|---|');
out(`| citizens and their application entries | N · (B_citizen + B_audit) | ${bytes(citizensBytes)} |`);
out(`| rows written per second at peak (returning sign-ins) | S · ${WRITES.liveSignIn} + R · ${WRITES.refresh} | ${n(writes)} |`);
out(`| primaries (or Citus workers) for those writes | ÷ ${n(ASSUME.postgresRowsPerPrimary)} per primary | ${n(Math.ceil(writes / ASSUME.postgresRowsPerPrimary))} |`);
out(`| authentication log per day at ${n(ASSUME.averageSignIns)} sign-ins/s on average (2.5 entries each) | avg · 86,400 · 2.5 · B_entry | ${bytes(logPerDay)} |`);
out(`| authentication log kept ${ASSUME.logRetentionDays} days | × retention | ${bytes(logPerDay * ASSUME.logRetentionDays)} |`);

console.log(lines.join('\n'));
