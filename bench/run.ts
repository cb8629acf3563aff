// `npm run bench`: measures, prints numbers and ratios. Never part of `npm test`.
import os from 'node:os';
import { benchStores } from './stores.js';
import { benchPasswordHashing } from './password-hashing.js';
import { benchSignInFlow } from './sign-in-flow.js';
import { benchReference } from './reference.js';

const fixed = (n: number, digits = 0) => n.toFixed(digits).padStart(8);

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);

const stores = await benchStores();
const fastest = Math.max(...stores.map((s) => s.opsPerSecond));
console.log('model store (upsert + find + consume, 16 concurrent)');
for (const s of stores) console.log(`  ${s.name.padEnd(12)} ${fixed(s.opsPerSecond)} ops/s   ${(s.opsPerSecond / fastest).toFixed(2)}× of fastest`);

const hashing = await benchPasswordHashing();
console.log('\nargon2id (m=19 MiB, t=2, p=1) with bounded concurrency');
for (const h of hashing) console.log(`  maxConcurrent ${h.maxConcurrent}   ${fixed(h.hashesPerSecond, 1)} hashes/s   event-loop max lag ${h.eventLoopMaxLagMs.toFixed(1)} ms   ${(h.hashesPerSecond / hashing[0]!.hashesPerSecond).toFixed(2)}× of 1`);

const flows = await benchSignInFlow();
console.log('\nfull sign-in (authorize → login → consent → token), 8 concurrent');
for (const f of flows) console.log(`  ${f.stores.padEnd(28)} ${fixed(f.flowsPerSecond, 1)} flows/s   p50 ${f.p50Ms.toFixed(0)} ms   p95 ${f.p95Ms.toFixed(0)} ms`);
if (flows.length === 2) console.log(`  ratio embedded / PostgreSQL+Redis: ${(flows[1]!.flowsPerSecond / flows[0]!.flowsPerSecond).toFixed(2)}`);

// Against bare oidc-provider, load from a separate process; also writes bench/results/latest.json.
console.log('\nthis project vs bare oidc-provider (bench/reference.ts), same keep-alive load generator, 10 connections');
await benchReference();
process.exit(0);
