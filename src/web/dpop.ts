// DPoP proofs (RFC 9449 §4.3): the admin API's tokens are sender-constrained, usable only by the
// holder of the private key whose thumbprint the token was bound to at sign-in. A proof is
// checked as the RFC lists: one well-formed JWT with typ dpop+jwt, an asymmetric algorithm we
// support and a public jwk in its header (jose's EmbeddedJWK refuses a private one), a valid
// signature by that key, htm and htu equal to this request's method and URL (without query or
// fragment), iat within a short window, ath equal to the hash of the access token presented
// with it, and a jti never seen before within the window (single use, in the ephemeral store).
// No server nonce (§8): the window plus single-use jti bound replay; a nonce would cost every
// client a retry per request.
import { createHash } from 'node:crypto';
import { EmbeddedJWK, base64url, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { UnauthorizedError } from '../errors.js';
import type { CounterStore } from '../storage/model-store.js';

export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'] as const;

export type DpopOptions = {
  store: Pick<CounterStore, 'setIfAbsent'>;
  /** How old (seconds) a proof may be; also how far in the future a clock may run. */
  windowSeconds: number;
  now?: () => number;
};

export type DpopRequest = { proof: string | string[] | undefined; method: string; url: string; accessToken?: string };

const refuse = (message: string) => new UnauthorizedError('invalid_dpop_proof', message);
const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** RFC 9449 §4.3 step 9: the URL without query and fragment, normalised by the URL parser. */
export function htuOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

/** The access token hash a proof carries in `ath` (§4.2). */
export const accessTokenHash = (token: string) => base64url.encode(sha256(token));

export function createDpopVerifier({ store, windowSeconds, now = () => Date.now() / 1000 }: DpopOptions) {
  /** Verifies the proof of this request; returns the thumbprint (RFC 7638) of the key that signed it. */
  return async function verifyDpop({ proof, method, url, accessToken }: DpopRequest): Promise<{ jkt: string }> {
    if (proof === undefined) throw refuse('a DPoP proof is required (DPoP header, RFC 9449)');
    if (Array.isArray(proof) || proof.length > 8192) throw refuse('send exactly one DPoP header');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw refuse('the DPoP proof is not a JWT');
    }
    if (header.typ !== 'dpop+jwt') throw refuse('the DPoP proof must have typ "dpop+jwt"');
    if (!DPOP_ALGORITHMS.includes(header.alg as (typeof DPOP_ALGORITHMS)[number])) throw refuse(`the DPoP proof must be signed with one of ${DPOP_ALGORITHMS.join(', ')}`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] }));
    } catch {
      throw refuse('the DPoP proof\'s signature does not verify with the public key in its header');
    }
    const { jti, htm, htu, iat, ath } = payload;
    if (typeof jti !== 'string' || jti.length < 8 || jti.length > 128) throw refuse('the DPoP proof needs a unique jti');
    if (htm !== method) throw refuse(`the DPoP proof's htm must be ${method}`);
    const expected = htuOf(url);
    if (typeof htu !== 'string' || htuOf(htu) !== expected) throw refuse(`the DPoP proof's htu must be ${expected}`);
    const at = now();
    if (typeof iat !== 'number' || iat < at - windowSeconds || iat > at + windowSeconds) throw refuse(`the DPoP proof's iat must be within ${windowSeconds} seconds of now`);
    if (accessToken !== undefined && ath !== accessTokenHash(accessToken)) throw refuse('the DPoP proof\'s ath must be the hash of the access token sent with it');
    const jkt = await calculateJwkThumbprint(header.jwk as JWK, 'sha256');
    // Single use: the key (thumbprint) and jti, for as long as the proof could be accepted.
    const marker = `dpop-jti:${base64url.encode(sha256(`${jkt}:${jti}`))}`;
    if (!(await store.setIfAbsent(marker, windowSeconds * 2 + 1))) throw refuse('this DPoP proof was used already: make a new one for every request');
    return { jkt };
  };
}

export type DpopVerifier = ReturnType<typeof createDpopVerifier>;
