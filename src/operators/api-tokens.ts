// The admin API's access tokens (docs/admin-api.md): short-lived, opaque, bound to one
// operator sign-in session and to one DPoP key.
// - Issued only right after a full sign-in (handle, password, authenticator code) through
//   authentication.ts; the session that sign-in made is never handed out (its token would
//   work as a console cookie, unconstrained by DPoP): the API token holds the session's key.
// - Every use checks, in order: the token exists and has not expired (10 minutes at most, by
//   the store's TTL and an expiry inside the record); its session is still alive and its
//   operator active (authentication.sessionByKey — ending the session or disabling the
//   operator kills the token); the DPoP key is the one it was bound to (cnf.jkt, RFC 9449 §6).
// - Opaque rather than a JWT: the only resource server is this service, so nothing needs to
//   verify it offline, and a random token in the ephemeral store can be killed at once.
//   The store keeps the SHA-256 of the token, never the token.
import { createHash, randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';
import type { ModelStore } from '../storage/model-store.js';
import type { OperatorAuthentication, OperatorSession, SignedIn } from './authentication.js';

const TOKEN_MODEL = 'OperatorApiToken';
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export type IssuedApiToken = { access_token: string; token_type: 'DPoP'; expires_in: number; expires_at: string };
export type ApiTokenUse = OperatorSession & { tokenKey: string; expiresAt: number };

type Dependencies = {
  store: ModelStore;
  authentication: Pick<OperatorAuthentication, 'sessionByKey' | 'signOutByKey'>;
  tokenSeconds: number;
  now?: () => number;
};

export function createApiTokens({ store, authentication, tokenSeconds, now = Date.now }: Dependencies) {
  return {
    /** A token for a sign-in that just succeeded, bound to the DPoP key that proved it. */
    async issue(signedIn: Pick<SignedIn, 'operator' | 'sessionKey'>, jkt: string): Promise<IssuedApiToken> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now() + tokenSeconds * 1000;
      await store.upsert(TOKEN_MODEL, digest(token), { operatorId: signedIn.operator.id, sessionKey: signedIn.sessionKey, jkt, expiresAt, grantId: signedIn.operator.id }, tokenSeconds);
      return { access_token: token, token_type: 'DPoP', expires_in: tokenSeconds, expires_at: new Date(expiresAt).toISOString() };
    },

    /** The live session behind a token presented with a proof by key `jkt`; UnauthorizedError otherwise. */
    async use(token: string, jkt: string): Promise<ApiTokenUse> {
      const tokenKey = digest(token);
      const held = token.length <= 100 ? await store.find(TOKEN_MODEL, tokenKey) : undefined;
      if (!held || Number(held.expiresAt) <= now()) throw new UnauthorizedError('invalid_token', 'the access token is unknown or has expired: sign in again');
      if (held.jkt !== jkt) throw new UnauthorizedError('invalid_dpop_proof', 'the DPoP proof is signed by another key than the one this token is bound to');
      const session = await authentication.sessionByKey(String(held.sessionKey));
      if (!session || session.operator.id !== held.operatorId) {
        await store.destroy(TOKEN_MODEL, tokenKey);
        throw new UnauthorizedError('invalid_token', 'the sign-in session of this token has ended: sign in again');
      }
      return { ...session, tokenKey, expiresAt: Number(held.expiresAt) };
    },

    /** Signing out: the token and the sign-in session it is bound to both end. */
    async end(use: Pick<ApiTokenUse, 'tokenKey' | 'sessionKey'>): Promise<void> {
      await store.destroy(TOKEN_MODEL, use.tokenKey);
      await authentication.signOutByKey(use.sessionKey);
    },
  };
}

export type ApiTokens = ReturnType<typeof createApiTokens>;
