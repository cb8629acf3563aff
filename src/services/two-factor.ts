// The optional second factor: time-based one-time codes (TOTP, RFC 6238: SHA-1, 6 digits, 30 s).
// - The secret is sealed with the envelope (AAD citizens/<id>/totp_secret); a pending enrolment
//   waits in the ephemeral store sealed the same way (its own AAD) with a TTL, never in plaintext.
// - A code is accepted one step either side of now (RFC 6238 §5.2) and only once: the step it
//   matched is marked used per citizen (§5.2 "MUST NOT accept the second attempt").
// - Attempts are limited like password attempts; a correct code resets the count.
// Between the password and the code, the sign-in sequence holds the passed step (src/sign-in/).
import { Secret, TOTP } from 'otpauth';
import { FormError } from '../errors.js';
import type { Envelope } from '../crypto/envelope.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import type { PasswordHasher } from './password-hasher.js';
import type { AccountEvents } from './account-events.js';

export type CodeCheck = 'ok' | 'invalid_code' | 'replayed_code' | 'throttled';

type Dependencies = {
  queries: Pick<CitizenQueries, 'enableTotp' | 'disableTotp'>;
  envelope: Pick<Envelope, 'seal' | 'open'>;
  store: ModelStore & CounterStore;
  hasher: Pick<PasswordHasher, 'verify'>;
  rateLimit: { loginAttemptsPerWindow: number; windowSeconds: number };
  /** The factor's change, its audit entry and its notice: one transaction. */
  events: AccountEvents;
};

const PERIOD = 30;
const ENROLMENT = 'TotpEnrolment';
const ENROLMENT_SECONDS = 600;
export const secretAad = (citizenId: string) => `citizens/${citizenId}/totp_secret`;
const pendingAad = (citizenId: string) => `citizens/${citizenId}/totp_secret/pending`;
const totpFor = (base32: string, label = 'cyberspace-id') =>
  new TOTP({ issuer: 'Cyberspace ID', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(base32) });

export function createTwoFactor({ queries, envelope, store, hasher, rateLimit, events }: Dependencies) {
  /** Checks a code against a secret: ±1 step, each step once, attempts limited. */
  async function check(citizenId: string, base32: string, code: string): Promise<CodeCheck> {
    const attempts = await store.increment(`totp:${citizenId}`, rateLimit.windowSeconds);
    if (attempts > rateLimit.loginAttemptsPerWindow) return 'throttled';
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return 'invalid_code';
    const delta = totpFor(base32).validate({ token, window: 1 });
    if (delta === null) return 'invalid_code';
    const step = Math.floor(Date.now() / 1000 / PERIOD) + delta;
    if (!(await store.setIfAbsent(`totp-used:${citizenId}:${step}`, PERIOD * 4))) return 'replayed_code';
    await store.reset(`totp:${citizenId}`);
    return 'ok';
  }

  const secretOf = (citizen: CitizenRow) => envelope.open(citizen.totp_secret_ciphertext!, secretAad(citizen.id));

  return {
    isEnabled: (citizen: CitizenRow) => citizen.totp_enabled_at !== null && citizen.totp_secret_ciphertext !== null,

    /** The secret being enrolled (the same one until confirmed or expired), and its otpauth URI. */
    async pendingEnrolment(citizen: CitizenRow): Promise<{ secret: string; uri: string }> {
      const held = await store.find(ENROLMENT, citizen.id);
      let secret = typeof held?.sealed === 'string' ? envelope.open(held.sealed, pendingAad(citizen.id)) : undefined;
      if (!secret) {
        secret = new Secret({ size: 20 }).base32;
        await store.upsert(ENROLMENT, citizen.id, { sealed: envelope.seal(secret, pendingAad(citizen.id)) }, ENROLMENT_SECONDS);
      }
      return { secret, uri: totpFor(secret, citizen.cyberspace_id).toString() };
    },

    /** A correct current code from the authenticator turns the second factor on. */
    async confirmEnrolment(citizen: CitizenRow, code: string): Promise<void> {
      const held = await store.find(ENROLMENT, citizen.id);
      if (typeof held?.sealed !== 'string') throw new FormError({ code: 'expired' });
      const secret = envelope.open(held.sealed, pendingAad(citizen.id));
      const result = await check(citizen.id, secret, code);
      if (result !== 'ok') throw new FormError({ code: result });
      const sealed = envelope.seal(secret, secretAad(citizen.id));
      await events.run(async ({ trx, record }) => {
        await queries.enableTotp(citizen.id, sealed, trx);
        await record({ type: 'account.two_factor_enabled', citizenId: citizen.id, actor: 'citizen' });
      });
      await store.destroy(ENROLMENT, citizen.id);
    },

    /** Turning it off needs both the password and a current code. */
    async disable(citizen: CitizenRow, input: { password: string; code: string }): Promise<void> {
      const attempts = await store.increment(`totp-disable:${citizen.id}`, rateLimit.windowSeconds);
      if (attempts > rateLimit.loginAttemptsPerWindow) throw new FormError({ password: 'throttled' });
      if (!(await hasher.verify(citizen.password_hash, input.password.normalize('NFC')))) throw new FormError({ password: 'incorrect' });
      const result = await check(citizen.id, secretOf(citizen), input.code);
      if (result !== 'ok') throw new FormError({ code: result });
      await store.reset(`totp-disable:${citizen.id}`);
      await events.run(async ({ trx, record }) => {
        await queries.disableTotp(citizen.id, trx);
        await record({ type: 'account.two_factor_disabled', citizenId: citizen.id, actor: 'citizen' });
      });
    },

    /** The second step of a sign-in. */
    verifyCode: (citizen: CitizenRow, code: string) => check(citizen.id, secretOf(citizen), code),
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
