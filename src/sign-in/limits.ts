// Sign-in limits that an attacker cannot turn against the owner (OWASP Authentication Cheat
// Sheet, "Account lockout"; NIST SP 800-63B §5.2.2):
// - counted per client address AND per account, for failed first factors and wrong second-factor
//   codes (authenticator or recovery code: one budget, so alternating them gains nothing);
// - a growing back-off (base · 2^(failures − free), capped), never a hard lock: once the delay
//   has passed one more attempt is allowed;
// - the per-account back-off stays short, and the owner passes it from a known device (the
//   sequence decides who passes); the per-address one can grow long;
// - checked before any hash is computed; kept in the ephemeral store (Redis when configured, so
//   every instance sees the same counts; memory on the embedded default).
// Addresses and IDs are stored only as keyed hashes.
import { createHmac, hkdfSync } from 'node:crypto';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import { nowSeconds } from '../storage/model-store.js';

export type BackOff = { free: number; baseSeconds: number; maxSeconds: number };
export type SignInLimitOptions = { windowSeconds: number; perAccount: BackOff; perAddress: BackOff };

export type LimitVerdict = { ok: true } | { ok: false; scope: 'account' | 'address'; retryAfterSeconds: number };

const MODEL = 'SignInBackOff';

/** The key for hashing limit keys, derived from the blind-index secret for this use only. */
export function deriveLimitKey(blindIndexSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'sign-in-limits', 32));
}

/** Seconds to wait after `failures` failures: none while free, then doubling up to the cap. */
export const delayAfter = (failures: number, { free, baseSeconds, maxSeconds }: BackOff) =>
  failures <= free ? 0 : Math.min(maxSeconds, baseSeconds * 2 ** Math.min(failures - free - 1, 30));

type Dependencies = { store: ModelStore & CounterStore; key: Buffer; options: SignInLimitOptions; now?: () => number };

export function createSignInLimits({ store, key, options, now = nowSeconds }: Dependencies) {
  const hashed = (scope: string, value: string) => `signin:${scope}:${createHmac('sha256', key).update(`${scope}|${value}`).digest('base64url')}`;
  const waitFor = async (id: string) => {
    const held = await store.find(MODEL, id);
    const until = typeof held?.until === 'number' ? held.until : 0;
    return Math.max(0, until - now());
  };
  const fail = async (id: string, backOff: BackOff) => {
    const failures = await store.increment(`${id}:failures`, options.windowSeconds);
    const delay = delayAfter(failures, backOff);
    if (delay > 0) await store.upsert(MODEL, id, { until: now() + delay }, delay);
  };

  return {
    /** Whether an attempt may go ahead; `accountPassed`: the owner's known device passes the account's back-off. */
    async check(attempt: { address: string; account?: string; accountPassed: boolean }): Promise<LimitVerdict> {
      const addressWait = await waitFor(hashed('address', attempt.address));
      if (addressWait > 0) return { ok: false, scope: 'address', retryAfterSeconds: addressWait };
      if (attempt.account && !attempt.accountPassed) {
        const accountWait = await waitFor(hashed('account', attempt.account));
        if (accountWait > 0) return { ok: false, scope: 'account', retryAfterSeconds: accountWait };
      }
      return { ok: true };
    },
    async failed(attempt: { address: string; account?: string }): Promise<void> {
      await fail(hashed('address', attempt.address), options.perAddress);
      if (attempt.account) await fail(hashed('account', attempt.account), options.perAccount);
    },
    /**
     * The owner got in: their account starts afresh. The address does not (anyone can sign in
     * to an account of their own between guesses at others').
     */
    async succeeded(account: string): Promise<void> {
      const id = hashed('account', account);
      await store.reset(`${id}:failures`);
      await store.destroy(MODEL, id);
    },
  };
}

export type SignInLimits = ReturnType<typeof createSignInLimits>;
