// PKCE for every client (RFC 9700 §2.1.1), with one recorded legacy exception: the operator can
// let a confidential ISP whose library has no PKCE sign citizens in without it
// (`cyberid client add|update --allow-no-pkce`). Such a request must then carry a nonce, the
// replay protection OIDC Core §3.1.2.1 offers in PKCE's place, and the token endpoint still
// authenticates the client (the exception is refused for public clients at registration).
// oidc-provider calls this only for a code request without code_challenge.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { PKCE_EXCEPTION_PROPERTY } from './client-metadata.js';
import { isFapi2 } from './fapi-profile.js';

export function pkceRequired(ctx: KoaContextWithOIDC, client: unknown): boolean {
  const record = client as Record<string, unknown> & { tokenEndpointAuthMethod?: string };
  // FAPI 2.0 §5.3.2.2: PKCE always (registration also refuses the exception with the profile).
  const excepted = record[PKCE_EXCEPTION_PROPERTY] === true && record.tokenEndpointAuthMethod !== 'none' && !isFapi2(client);
  if (!excepted) return true;
  if (!ctx.oidc.params?.nonce) throw new errors.InvalidRequest('nonce is required for a client granted the no-PKCE legacy exception');
  return false;
}
