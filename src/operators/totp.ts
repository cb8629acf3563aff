// Operators' authenticator codes: TOTP (RFC 6238, SHA-1, 6 digits, 30 s) as for citizens
// (src/services/two-factor.ts), with the operator's own keys: a code is accepted one step either
// side of now and only once per operator (§5.2), and attempts are counted per operator.
import { Secret, TOTP } from 'otpauth';
import type { CounterStore } from '../storage/model-store.js';
import type { Envelope } from '../crypto/envelope.js';
import type { RewrapSource } from '../crypto/rewrap.js';
import type { OperatorQueries } from '../queries/operators.js';

export type OperatorCodeCheck = 'ok' | 'invalid_code' | 'replayed_code' | 'throttled';

const PERIOD = 30;
export const operatorTotpAad = (operatorId: string) => `operators/${operatorId}/totp_secret`;

export const operatorTotp = (base32: string, handle: string) =>
  new TOTP({ issuer: 'Cyberspace ID operators', label: handle, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(base32) });

export const newTotpSecret = () => new Secret({ size: 20 }).base32;

export function createOperatorCodeChecker(store: CounterStore, limits: { attempts: number; windowSeconds: number }) {
  return async function check(operatorId: string, base32: string, code: string): Promise<OperatorCodeCheck> {
    const attempts = await store.increment(`operator-totp:${operatorId}`, limits.windowSeconds);
    if (attempts > limits.attempts) return 'throttled';
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return 'invalid_code';
    const delta = operatorTotp(base32, 'operator').validate({ token, window: 1 });
    if (delta === null) return 'invalid_code';
    const step = Math.floor(Date.now() / 1000 / PERIOD) + delta;
    if (!(await store.setIfAbsent(`operator-totp-used:${operatorId}:${step}`, PERIOD * 4))) return 'replayed_code';
    await store.reset(`operator-totp:${operatorId}`);
    return 'ok';
  };
}

export type OperatorCodeChecker = ReturnType<typeof createOperatorCodeChecker>;

/** The operators' sealed TOTP secrets as a KEK-rotation source (services/kek-rotation.ts). */
export function operatorTotpRewrapSource(
  queries: Pick<OperatorQueries, 'listTotpSecrets' | 'findTotpSecret' | 'replaceTotpSecret'>,
  envelope: Pick<Envelope, 'rewrapSealed' | 'kekIdOf'>,
): RewrapSource {
  return {
    list: async (after, limit) => (await queries.listTotpSecrets(after, limit)).map((row) => ({ id: row.id, wrapped: row.totp_secret_ciphertext })),
    current: (id) => queries.findTotpSecret(id),
    rewrap: ({ id, wrapped }) => envelope.rewrapSealed(wrapped, operatorTotpAad(id)),
    replace: (id, previous, next) => queries.replaceTotpSecret(id, previous, next),
    kekIdOf: (sealed) => envelope.kekIdOf(sealed),
  };
}
