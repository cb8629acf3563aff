// Operator sign-in and sessions (issue 11). Strong authentication is not optional: a sign-in
// needs the handle, the password and a current authenticator code, all three, in one step, so
// nothing is learnt from which one was wrong (one answer for every failure).
// - Limits before any hashing: attempts per handle and per client address in a fixed window
//   (operators are few and known; a locked-out operator asks a colleague, unlike a citizen).
// - Sessions are short: a random token whose SHA-256 is the key in the ephemeral store, an
//   idle timeout (15 min by default) renewed on use, and an absolute lifetime (8 h) from sign-in.
//   The operator row is read again on every request, so disabling an operator or changing
//   their roles takes effect at once.
// - Sensitive operations re-authenticate: reauthenticate() checks a fresh authenticator code
//   (each code works once, so it cannot be the one used to sign in) and marks that session
//   re-authenticated for a few minutes (5 by default), so one case's steps need one code, not
//   one per 30-second step. Signing in does not count: it is the second code that proves the
//   operator is still at the keyboard.
import { createHash, randomBytes } from 'node:crypto';
import { FormError } from '../errors.js';
import type { Envelope } from '../crypto/envelope.js';
import type { OperatorQueries, OperatorRow } from '../queries/operators.js';
import type { AuditEvent } from '../services/audit.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import { operatorTotpAad, type OperatorCodeChecker } from './totp.js';

const SESSION_MODEL = 'OperatorSession';
const REAUTH_MODEL = 'OperatorReauthentication';
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export type OperatorSessionLimits = {
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  signInAttemptsPerHandle: number;
  signInAttemptsPerAddress: number;
  windowSeconds: number;
  reauthenticationSeconds: number;
};

/** A new session: its operator, the token (given to the operator once) and the key naming it. */
export type SignedIn = { operator: OperatorRow; token: string; sessionKey: string };
/** A live session: its operator, and the key that names the session (never the token itself). */
export type OperatorSession = { operator: OperatorRow; sessionKey: string };

type Dependencies = {
  queries: Pick<OperatorQueries, 'findOperatorByHandle' | 'findOperatorById'>;
  hasher: Pick<PasswordHasher, 'verify' | 'verifyNothing'>;
  envelope: Pick<Envelope, 'open'>;
  store: ModelStore & CounterStore;
  checkCode: OperatorCodeChecker;
  record: (event: AuditEvent) => Promise<void>;
  limits: OperatorSessionLimits;
  now?: () => number;
};

export function createOperatorAuthentication({ queries, hasher, envelope, store, checkCode, record, limits, now = Date.now }: Dependencies) {
  const secretOf = (operator: OperatorRow) => envelope.open(operator.totp_secret_ciphertext!, operatorTotpAad(operator.id));

  async function sessionByKey(id: string): Promise<OperatorSession | undefined> {
    const payload = await store.find(SESSION_MODEL, id);
    if (!payload) return undefined;
    if (now() - Number(payload.createdAt) > limits.sessionAbsoluteSeconds * 1000) {
      await store.destroy(SESSION_MODEL, id);
      return undefined;
    }
    const operator = await queries.findOperatorById(String(payload.operatorId));
    if (operator?.status !== 'active') {
      await store.destroy(SESSION_MODEL, id);
      return undefined;
    }
    await store.upsert(SESSION_MODEL, id, payload, limits.sessionIdleSeconds);
    return { operator, sessionKey: id };
  }

  async function signOutByKey(id: string): Promise<void> {
    await store.destroy(SESSION_MODEL, id);
    await store.destroy(REAUTH_MODEL, `operator-reauth:${id}`);
  }

  return {
    /** Handle, password and code together; FormError({ sign_in: 'invalid' | 'throttled' }) otherwise. */
    async signIn(input: { handle: string; password: string; code: string; address: string }): Promise<SignedIn> {
      const handle = input.handle.trim().toLowerCase();
      const perHandle = await store.increment(`operator-sign-in:handle:${digest(handle)}`, limits.windowSeconds);
      const perAddress = await store.increment(`operator-sign-in:address:${digest(input.address)}`, limits.windowSeconds);
      if (perHandle > limits.signInAttemptsPerHandle || perAddress > limits.signInAttemptsPerAddress) {
        await record({ type: 'operator.sign_in_failed', actor: 'operator', details: { reason_code: 'throttled' } });
        throw new FormError({ sign_in: 'throttled' });
      }
      const operator = handle.length <= 64 ? await queries.findOperatorByHandle(handle) : undefined;
      const usable = operator?.status === 'active' ? operator : undefined;
      const password = input.password.normalize('NFC');
      const passwordOk = usable ? await hasher.verify(usable.password_hash!, password) : await hasher.verifyNothing(password);
      // The code is checked only after the right password: otherwise anyone could burn an
      // operator's current code (each works once) by sending it with a wrong password.
      const codeResult = usable && passwordOk ? await checkCode(usable.id, secretOf(usable), input.code) : 'invalid_code';
      if (!usable || !passwordOk || codeResult !== 'ok') {
        const reason = !usable ? 'unknown_or_inactive' : !passwordOk ? 'invalid_credentials' : codeResult;
        await record({ type: 'operator.sign_in_failed', actor: 'operator', details: { reason_code: reason, ...(usable ? { target_operator_id: usable.id } : {}) } });
        throw new FormError({ sign_in: codeResult === 'throttled' ? 'throttled' : 'invalid' });
      }
      await store.reset(`operator-sign-in:handle:${digest(handle)}`);
      const token = randomBytes(32).toString('base64url');
      // grantId doubles as the per-operator index used by endAll().
      const sessionKey = digest(token);
      await store.upsert(SESSION_MODEL, sessionKey, { operatorId: usable.id, grantId: usable.id, createdAt: now() }, limits.sessionIdleSeconds);
      await record({ type: 'operator.signed_in', actor: 'operator', details: { operator_id: usable.id, amr: ['pwd', 'otp'] } });
      return { operator: usable, token, sessionKey };
    },

    /** The signed-in, still active operator for a session token, its idle timer renewed; undefined otherwise. */
    async session(token: string | undefined): Promise<OperatorSession | undefined> {
      if (!token || token.length > 100) return undefined;
      return sessionByKey(digest(token));
    },

    /**
     * The same, by the session's key: for credentials bound to a sign-in without holding its
     * token (the admin API's access tokens, src/operators/api-tokens.ts).
     */
    sessionByKey,

    /**
     * Before a sensitive operation: a fresh authenticator code, unless this session gave one in the
     * last few minutes. FormError({ reauth_code }) otherwise.
     */
    async reauthenticate(operator: OperatorRow, sessionKey: string, code: string | undefined): Promise<void> {
      const fresh = `operator-reauth:${sessionKey}`;
      if ((await store.find(REAUTH_MODEL, fresh))?.operatorId === operator.id) return;
      const result = await checkCode(operator.id, secretOf(operator), code ?? '');
      if (result !== 'ok') {
        await record({ type: 'operator.sign_in_failed', actor: 'operator', details: { operator_id: operator.id, reason_code: code?.trim() ? `reauthentication_${result}` : 'reauthentication_required' } });
        throw new FormError({ reauth_code: code?.trim() ? result : 'required' });
      }
      await store.upsert(REAUTH_MODEL, fresh, { operatorId: operator.id }, limits.reauthenticationSeconds);
      await record({ type: 'operator.reauthenticated', actor: 'operator', details: { operator_id: operator.id, amr: ['otp'] } });
    },

    signOut: (token: string) => signOutByKey(digest(token)),
    signOutByKey,
    /** Ends every session of an operator (disabled). */
    endAll: (operatorId: string) => store.revokeByGrantId(SESSION_MODEL, operatorId),
  };
}

export type OperatorAuthentication = ReturnType<typeof createOperatorAuthentication>;
