// Validates a back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.6): signed by
// the provider (its JWKS), issued by it for this client, recent, naming the logout event and a
// sub or sid, and carrying no nonce.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type LogoutClaims = { sub?: string; sid?: string };

export function logoutTokenVerifier(issuer: string, jwksUri: string, clientId: string) {
  const keys = createRemoteJWKSet(new URL(jwksUri));
  return async (token: string): Promise<LogoutClaims> => {
    const { payload } = await jwtVerify(token, keys, { issuer, audience: clientId, maxTokenAge: '2 minutes' });
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events[LOGOUT_EVENT] !== 'object') throw new Error('not a logout token: no back-channel logout event');
    if ('nonce' in payload) throw new Error('a logout token carries no nonce');
    if (!payload.sub && typeof payload.sid !== 'string') throw new Error('a logout token names a sub or a sid');
    return { sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
  };
}
