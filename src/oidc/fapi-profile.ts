// The `fapi2` client profile: the FAPI 2.0 Security Profile (final, 2025) as a whole, for the
// ISPs the operator (`cyberid client add|update --profile fapi2`) or the ISP itself (registration
// metadata `cyberid_security_profile: "fapi2"`) puts under it. oidc-provider's own FAPI 2.0 mode
// (features.fapi, chosen per client below) does PKCE, the exact redirect_uri and the client
// assertion's `aud`; this module adds the rest and lists each rule with its section:
// - §5.3.2.2-2 PAR required          → require_pushed_authorization_requests (RFC 9126 §6)
// - §5.3.2.1-4/5 sender-constrained  → dpop_bound_access_tokens (RFC 9449 §5.2); we use DPoP
// - §5.3.2.1-3/6 confidential, private_key_jwt only (mTLS is not offered)
// - §5.4.1 PS256, ES256 or EdDSA for every JWS: ID tokens, client assertions, request objects
// - §5.3.2.1-8 aud of the client assertion is the issuer, as a string (oidc-provider)
// - §5.3.2.1-9 no refresh token rotation (the token is bound to the client's authentication)
// - §5.3.2.1-11 authorization codes live at most 60 seconds
// - §5.3.2.2-3 PKCE with S256, never the legacy no-PKCE exception
// - §5.3.2.2-5 `iss` in the authorization response (RFC 9207; oidc-provider sends it to all)
// Other clients keep the defaults the specs state.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

export const SECURITY_PROFILE_PROPERTY = 'cyberid_security_profile';
export const FAPI2 = 'fapi2';
/** FAPI 2.0 §5.4.1: the JWS algorithms allowed (RS256 is not). */
export const FAPI2_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'] as const;
export const FAPI2_MAX_CODE_SECONDS = 60;
/** What the profile sets on the client's metadata, whatever was asked. */
export const FAPI2_IMPLIED_METADATA = { require_pushed_authorization_requests: true, dpop_bound_access_tokens: true } as const;

const allowedAlg = (alg: unknown) => (FAPI2_ALGORITHMS as readonly unknown[]).includes(alg);

export function isFapi2(client: unknown): boolean {
  return !!client && (client as Record<string, unknown>)[SECURITY_PROFILE_PROPERTY] === FAPI2;
}

/** features.fapi.profile: oidc-provider's FAPI 2.0 behaviour for this client only. */
export const fapiProfileOf = (_ctx: unknown, client: unknown) => (isFapi2(client) ? '2.0' : undefined);

/**
 * The registration rules of the profile, for extraClientMetadata's validator (registration,
 * RFC 7592 updates and the CLI all pass through it). It may replace values (RFC 7591 §3.2.1):
 * PAR and DPoP are switched on, an RS256 ID token (the registration default) becomes PS256.
 */
export function applyFapi2Profile(value: unknown, metadata: Record<string, unknown>, options: { pkceException: boolean }): void {
  if (value === undefined) return;
  const fail = (text: string) => {
    throw new errors.InvalidClientMetadata(text);
  };
  if (value !== FAPI2) fail(`${SECURITY_PROFILE_PROPERTY} must be "${FAPI2}" (or absent)`);
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt') fail(`the ${FAPI2} profile needs token_endpoint_auth_method private_key_jwt (FAPI 2.0 §5.3.2.1: confidential clients, private_key_jwt or mTLS)`);
  if (metadata.token_endpoint_auth_signing_alg !== undefined && !allowedAlg(metadata.token_endpoint_auth_signing_alg)) fail(`the ${FAPI2} profile allows token_endpoint_auth_signing_alg ${FAPI2_ALGORITHMS.join(', ')} only (FAPI 2.0 §5.4.1)`);
  if (metadata.request_object_signing_alg !== undefined && !allowedAlg(metadata.request_object_signing_alg)) fail(`the ${FAPI2} profile allows request_object_signing_alg ${FAPI2_ALGORITHMS.join(', ')} only (FAPI 2.0 §5.4.1)`);
  if (options.pkceException) fail(`the ${FAPI2} profile requires PKCE: the no-PKCE exception is not available to it (FAPI 2.0 §5.3.2.2)`);
  if (metadata.id_token_signed_response_alg === 'RS256') metadata.id_token_signed_response_alg = 'PS256';
  if (!allowedAlg(metadata.id_token_signed_response_alg)) fail(`the ${FAPI2} profile allows id_token_signed_response_alg ${FAPI2_ALGORITHMS.join(', ')} only (FAPI 2.0 §5.4.1)`);
  Object.assign(metadata, FAPI2_IMPLIED_METADATA);
}

/** ttl.AuthorizationCode: at most 60 seconds for a fapi2 client (FAPI 2.0 §5.3.2.1). */
export function authorizationCodeTtl(configuredSeconds: number) {
  return (_ctx: unknown, _code: unknown, client: unknown) =>
    (isFapi2(client) ? Math.min(configuredSeconds, FAPI2_MAX_CODE_SECONDS) : configuredSeconds);
}

/** rotateRefreshToken: FAPI 2.0 §5.3.2.1 rules rotation out; RFC 9700 §4.14.2 keeps it for the rest. */
export function rotateRefreshToken(ctx: KoaContextWithOIDC): boolean {
  return !isFapi2(ctx.oidc.client);
}

/**
 * assertJwtClientAuthClaimsAndHeader: oidc-provider's own FAPI 2.0 rule (aud is the issuer, a
 * string: §5.3.2.1-8), and the profile's algorithms for the assertion (§5.4.1).
 */
export async function assertClientAssertion(ctx: KoaContextWithOIDC, claims: Record<string, unknown>, header: Record<string, unknown>): Promise<void> {
  if (!ctx.oidc.isFapi('2.0')) return;
  if (claims.aud !== ctx.oidc.issuer) throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
  if (!allowedAlg(header.alg)) throw new errors.InvalidClientAuth(`the client assertion must be signed with ${FAPI2_ALGORITHMS.join(', ')} (FAPI 2.0 §5.4.1)`);
}
