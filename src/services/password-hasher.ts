// argon2id at OWASP's recommended parameters (m=19 MiB, t=2, p=1). Hashing runs on libuv's
// thread pool (off the event loop); a semaphore bounds how many run at once so a burst of
// logins queues instead of exhausting memory or starving other pool work (DNS, fs). The queue
// is bounded too: beyond `maxQueued` waiting, a hash is refused at once (HasherBusyError, a 503
// with Retry-After), so a login flood is shed instead of growing everyone's latency.
import argon2 from 'argon2';
import { HasherBusyError } from '../errors.js';

export type PasswordHashingOptions = { memoryCostKiB: number; timeCost: number; parallelism: number; maxConcurrent: number; maxQueued: number };

export function createPasswordHasher(options: PasswordHashingOptions) {
  let running = 0;
  const waiting: Array<() => void> = [];
  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (running >= options.maxConcurrent && waiting.length >= options.maxQueued) throw new HasherBusyError();
    if (running >= options.maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  }
  const params = {
    type: argon2.argon2id,
    memoryCost: options.memoryCostKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  } as const;
  // Verified against when an account does not exist, so both paths cost the same time.
  let dummyHash: Promise<string> | undefined;

  return {
    hash: (password: string) => bounded(() => argon2.hash(password, params)),
    /** False for a wrong password and for a hash that is not argon2 (a cancelled account's marker). */
    verify: (hash: string, password: string) => bounded(() => argon2.verify(hash, password).catch(() => false)),
    /** Spends one verification's time without an account, against user enumeration by timing. */
    async verifyNothing(password: string): Promise<false> {
      dummyHash ??= argon2.hash('cyberspace-id-dummy-password', params);
      await bounded(async () => argon2.verify(await dummyHash!, password));
      return false;
    },
    needsRehash: (hash: string) => argon2.needsRehash(hash, params),
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
