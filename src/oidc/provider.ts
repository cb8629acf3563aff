// Assembles oidc-provider's configuration. Every hook lives in its own file in this folder;
// this module only wires them. Choices cite the rule they implement.
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../config/config.js';
import { createFindAccount } from './find-account.js';
import { GRANTABLE_SCOPES, SCOPE_CLAIMS, type ClaimsForAccount } from './claims.js';
import { createExtraClientMetadata, sectorNeedsValidation } from './client-metadata.js';
import { IDA_DISCOVERY } from './verified-claims.js';
import { createLoadExistingGrant } from './existing-grant.js';
import { forgetIdentityRelease } from './identity-release.js';
import { renderedOnce } from './rendered-once.js';
import { revocationAudit } from './revocation-audit.js';
import { registrationStatus } from './registration-status.js';
import { authenticationLogHook, noteAuthorizationError, type OidcAuthentication } from './authentication-log-hook.js';
import type { ClientStatus } from '../queries/clients.js';
import type { Payload } from '../storage/model-store.js';
import { buildInteractionPolicy, inactiveAccountIntrospection } from './account-checks.js';
import { createPairwiseIdentifier } from './pairwise.js';
import { pkceRequired } from './pkce-policy.js';
import { installBackchannelLogout, type LogoutDeliveryRequest } from './backchannel-sid.js';
import { createOutboundFetch } from './outbound-fetch.js';
import { ID_TOKEN_ENCRYPTION_ALGS, ID_TOKEN_ENCRYPTION_ENCS, REQUEST_OBJECT_SIGNING_ALGS } from './encryption-algorithms.js';
import { assertClientAssertion, authorizationCodeTtl, fapiProfileOf, rotateRefreshToken } from './fapi-profile.js';
import { DEFAULT_ID_TOKEN_ALG, SIGNING_ALGORITHMS } from '../services/signing-keys.js';
import type { CitizenService } from '../services/citizens.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { AuthenticationRecord } from '../services/authentication-log.js';
import { requestScopedCitizens, type CitizenOfRequest } from './request-citizen.js';
import type { createProviderPages } from './pages.js';
import type { Logger } from '../logger.js';
import { ACR_VALUES } from '../sign-in/acr.js';
import type Koa from 'koa';
import { isStoreFault, STORE_RETRY_AFTER_SECONDS } from '../storage/store-fault.js';

export type ProviderDependencies = {
  config: Pick<Config, 'issuer' | 'ttl' | 'secrets' | 'env'>;
  adapter: (model: string) => import('oidc-provider').Adapter;
  citizens: CitizenService;
  pages: ReturnType<typeof createProviderPages>;
  jwks: JWK[];
  logger: Logger;
  /** Claims a scope adds for a citizen (verification results). */
  claimsFor: ClaimsForAccount;
  /** The citizen's stored grants (consent remembered across browsers). */
  findGrantsByAccount: (accountId: string) => Promise<Array<{ id: string; payload: Payload }>>;
  /** A code was issued to an ISP for a citizen (connections, audit); the row read for this request. */
  onAuthorizationSuccess?: (event: { citizen: CitizenRow; clientId: string; scope: string }) => Promise<void>;
  /** An ISP revoked one of its tokens for a citizen (audit). */
  onTokenRevoked?: (event: { accountId: string; clientId: string; tokenType: string }) => Promise<void>;
  /** The authentication log lawful assistance may provide (authentication-log-hook.ts). */
  recordAuthentication?: (entry: AuthenticationRecord) => Promise<void>;
  /** A client's onboarding status (registration responses say it: registration-status.ts). */
  clientStatus?: (clientId: string) => Promise<ClientStatus | undefined>;
  /** Back-channel logouts go to this durable outbox (services/logout-deliveries.ts); without it, straight out. */
  queueLogout?: (request: LogoutDeliveryRequest) => Promise<void>;
  /** Outgoing HTTP (sector_identifier_uri, jwks_uri); tests substitute their own. */
  fetch?: typeof globalThis.fetch;
};

const tokenBelongsToCaller = (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string }) =>
  token.clientId === client.clientId;

export function buildProviderConfiguration(deps: ProviderDependencies, citizenOf: CitizenOfRequest): Configuration {
  const { config, pages } = deps;
  const ttl = config.ttl;
  return {
    adapter: deps.adapter as Configuration['adapter'],
    findAccount: createFindAccount(citizenOf, deps.claimsFor),
    pairwiseIdentifier: createPairwiseIdentifier(config.secrets.pairwiseSecret),
    jwks: { keys: deps.jwks as Configuration['jwks'] extends { keys: infer K } ? K : never },
    cookies: {
      keys: config.secrets.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    // Discovery tells the truth: pairwise only, code only, S256 only (see test/oidc/discovery).
    subjectTypes: ['pairwise'],
    responseTypes: ['code'],
    pkce: { required: pkceRequired }, // RFC 9700 §2.1.1: every client, bar a recorded legacy exception
    scopes: [...GRANTABLE_SCOPES],
    // The claims catalogue (src/oidc/claims.ts, docs/claims.md). amr and acr sit in the openid
    // scope so oidc-provider puts the session's values into every ID token (as a standalone
    // claim, acr would only appear when asked for with acr_values, and discovery would
    // advertise a claim that is never issued).
    claims: { ...SCOPE_CLAIMS, auth_time: null, sid: null, iss: null },
    // The sign-in module's vocabulary (src/sign-in/acr.ts, docs/claims.md).
    acrValues: [...ACR_VALUES],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: [...SIGNING_ALGORITHMS],
      userinfoSigningAlgValues: [...SIGNING_ALGORITHMS],
      introspectionSigningAlgValues: [...SIGNING_ALGORITHMS],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      requestObjectSigningAlgValues: [...REQUEST_OBJECT_SIGNING_ALGS],
      requestObjectEncryptionAlgValues: [],
      requestObjectEncryptionEncValues: [],
      idTokenEncryptionAlgValues: [...ID_TOKEN_ENCRYPTION_ALGS],
      idTokenEncryptionEncValues: [...ID_TOKEN_ENCRYPTION_ENCS],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: DEFAULT_ID_TOKEN_ALG, // Registration §2
      subject_type: 'pairwise',
      require_auth_time: true,
    },
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED and matched exactly.
    allowOmittingSingleRegisteredRedirectUri: false,
    // The ID token is the online credential: it carries the consented verification results
    // itself (OIDC Core §5.4 allows scope claims in the ID token), not only via userinfo.
    conformIdTokenClaims: false,
    extraClientMetadata: createExtraClientMetadata({ production: config.env === 'production' }),
    sectorIdentifierUriValidate: (client) => sectorNeedsValidation(client as unknown as Record<string, unknown>),
    loadExistingGrant: createLoadExistingGrant(deps.findGrantsByAccount),
    // RFC 9700 §4.14.2: rotation makes a stolen refresh token detectable; not for fapi2 clients.
    rotateRefreshToken,
    assertJwtClientAuthClaimsAndHeader: assertClientAssertion,
    ttl: {
      AuthorizationCode: authorizationCodeTtl(ttl.authorizationCodeSeconds),
      AccessToken: ttl.accessTokenSeconds,
      IdToken: ttl.idTokenSeconds,
      RefreshToken: ttl.refreshTokenSeconds,
      Session: ttl.sessionSeconds,
      Interaction: ttl.interactionSeconds,
      Grant: ttl.grantSeconds,
    },
    features: {
      devInteractions: { enabled: false },
      // Only the ISP a token was issued to may introspect it (RFC 7662 §4). oidc-provider's
      // default lets any confidential client introspect any token, which would hand one ISP the
      // pairwise ID another ISP sees for the same citizen. (Revocation's default already refuses
      // other clients, as RFC 7009 §2.1 asks.)
      introspection: { enabled: true, allowedPolicy: tokenBelongsToCaller },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
      registration: { enabled: true, initialAccessToken: true, idFactory: () => `isp_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}` },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      // OIDC Core §5.5: an ISP may ask for an essential acr (§5.5.1.1); claim values still come
      // only from granted scopes (claims.ts), so asking for a claim releases nothing more.
      claimsParameter: { enabled: true },
      // JAR (RFC 9101): a signed `request`, by value or pushed (PAR), from a client with keys;
      // `require_signed_request_object` makes it mandatory for that client.
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      // JWE ID tokens for clients that register id_token_encrypted_response_alg and a key
      // (encryption-algorithms.ts says which algorithms, and why only those).
      encryption: { enabled: true },
      // FAPI 2.0 for the clients under the fapi2 profile only (fapi-profile.ts).
      fapi: { enabled: true, profile: fapiProfileOf },
    },
    interactions: {
      policy: buildInteractionPolicy(),
      url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}`,
    },
    renderError: pages.renderError,
    discovery: {
      ui_locales_supported: ['zh-CN', 'en'],
      service_documentation: `${config.issuer}/developers/integration`,
      op_policy_uri: `${config.issuer}/developers/privacy`,
      ...IDA_DISCOVERY,
    },
    fetch: createOutboundFetch({ base: deps.fetch ?? globalThis.fetch, production: config.env === 'production', logger: deps.logger }),
  } as Configuration;
}

// oidc-provider answers any unexpected error 500 server_error; a store outage is one the client
// should wait out: 503 temporarily_unavailable with Retry-After (the HTML page says so itself).
function storeFaultAnswer() {
  return async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    if (!(ctx.state as { storeFault?: boolean }).storeFault) return;
    ctx.status = 503;
    ctx.set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    const body = ctx.body as { error?: string } | undefined;
    if (body && typeof body === 'object' && !Buffer.isBuffer(body) && body.error === 'server_error') {
      ctx.body = { error: 'temporarily_unavailable', error_description: 'a store is unavailable; try again shortly' };
    }
  };
}

export function createProvider(deps: ProviderDependencies): Provider {
  const citizenOf = requestScopedCitizens(deps.citizens.findByCyberspaceId);
  const provider = new Provider(deps.config.issuer, buildProviderConfiguration(deps, citizenOf));
  // Every ID token carries `sid` (the contract; OIDC Front-/Back-Channel Logout §2):
  // oidc-provider adds it only for clients registered for back-channel logout with sessions.
  // sid is per client and per browser session, so it links nothing across ISPs.
  Object.defineProperty(provider.Client.prototype, 'includeSid', { value: () => true, configurable: true });
  // oidc-provider handles its own errors; surface the unexpected ones in our log, with the
  // request id and without anything from the request itself.
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    if (isStoreFault(error)) (ctx as unknown as { state: { storeFault?: boolean } }).state.storeFault = true;
    deps.logger.error({ requestId: (ctx as unknown as { state: { requestId?: string } }).state.requestId, err: { name: error.name, message: error.message, stack: error.stack } }, 'oidc-provider server error');
  });
  installBackchannelLogout(provider, deps.logger, deps.queueLogout);
  provider.use(storeFaultAnswer());
  provider.use(renderedOnce());
  provider.use(forgetIdentityRelease());
  if (deps.onTokenRevoked) provider.use(revocationAudit(deps.onTokenRevoked));
  if (deps.recordAuthentication) {
    const record = deps.recordAuthentication;
    const failed = (error: unknown) => deps.logger.error({ err: { message: (error as Error).message } }, 'authentication log write failed');
    provider.use(authenticationLogHook(async (ctx, { accountId, ...entry }: OidcAuthentication) => {
      const citizen = await citizenOf(ctx, accountId);
      if (citizen) await record({ ...entry, citizenId: citizen.id });
    }, failed));
    provider.on('authorization.error', noteAuthorizationError);
  }
  if (deps.clientStatus) provider.use(registrationStatus(deps.clientStatus, `${deps.config.issuer}/developers/integration#review`));
  provider.use(inactiveAccountIntrospection(async (ctx, accountId) => (await citizenOf(ctx, accountId))?.status === 'active'));
  // After a code is issued (and before the browser is redirected), record the connection:
  // awaited here so the citizen's dashboard is current when the ISP's callback arrives.
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'authorization' && oidc?.route !== 'resume') return;
    const code = oidc.entities?.AuthorizationCode as { accountId?: string; clientId?: string; scope?: string } | undefined;
    if (!code?.accountId || !code.clientId || !deps.onAuthorizationSuccess) return;
    // The citizen findAccount read for this request (request-citizen.ts), not a read of its own.
    const citizen = await citizenOf(ctx, code.accountId);
    if (citizen) await deps.onAuthorizationSuccess({ citizen, clientId: code.clientId, scope: code.scope ?? '' });
  });
  return provider;
}
