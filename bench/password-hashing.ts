// argon2id at the configured OWASP parameters: hashes per second and how the concurrency bound
// trades throughput against memory (each hash holds 19 MiB while it runs).
import { performance } from 'node:perf_hooks';
import defaults from '../config/defaults.json' with { type: 'json' };
import { createPasswordHasher } from '../src/services/password-hasher.js';

const HASHES = Number(process.env.BENCH_HASHES ?? 48);

export async function benchPasswordHashing(): Promise<Array<{ maxConcurrent: number; hashesPerSecond: number; eventLoopMaxLagMs: number }>> {
  const results = [];
  for (const maxConcurrent of [1, 2, 4]) {
    const hasher = createPasswordHasher({ ...defaults.passwordHashing, maxConcurrent, maxQueued: Infinity });
    let maxLag = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: HASHES }, (_, i) => hasher.hash(`password-${i}`)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(probe);
    results.push({ maxConcurrent, hashesPerSecond: HASHES / seconds, eventLoopMaxLagMs: maxLag });
  }
  return results;
}
