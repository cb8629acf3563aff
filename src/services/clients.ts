// ISP (relying party) registry. Clients live in PostgreSQL; their secrets are sealed with the
// key-encryption key. oidc-provider reads them through the Client adapter (oidc/adapter.ts).
import { randomBytes } from 'node:crypto';
import type { Envelope } from '../crypto/envelope.js';
import type { ClientQueries, ClientRow, ClientStatus } from '../queries/clients.js';
import { rewrapAll, type RewrapCounts, type RewrapOptions, type RewrapSource } from '../crypto/rewrap.js';
import { clientMetadataProblems, redirectUriProblems, sectorProblems } from './redirect-uri-policy.js';
import { ValidationError, NotFoundError } from '../errors.js';
import type { AuditService } from './audit.js';
import { DEFAULT_ID_TOKEN_ALG, type SigningAlgorithm } from './signing-keys.js';
import { PINNED_SECTOR_PROPERTY, pairwiseSectorOf } from './pairwise-sector.js';
import { GRANTABLE_SCOPES, IDENTITY_SCOPE } from '../oidc/claims.js';
import { isAssuranceLevel } from '../identity/assurance.js';
import { CLIENT_NAME_ZH_PROPERTY, LEGAL_BASIS_ZH_PROPERTY } from '../oidc/client-names.js';
import { DEFAULT_ID_TOKEN_ENCRYPTION_ENC, ID_TOKEN_ENCRYPTION_ALGS, ID_TOKEN_ENCRYPTION_ENCS, isIdTokenEncryptionAlg, isIdTokenEncryptionEnc } from '../oidc/encryption-algorithms.js';
import { FAPI2, FAPI2_ALGORITHMS, FAPI2_IMPLIED_METADATA, SECURITY_PROFILE_PROPERTY } from '../oidc/fapi-profile.js';
import { LEGAL_BASIS_PROPERTY, MIN_ACR_PROPERTY, MIN_ASSURANCE_PROPERTY, PKCE_EXCEPTION_PROPERTY, PURPOSES_PROPERTY, SECTOR_VALIDATED_PROPERTY, scopePurposesProblems, type ScopePurposes } from '../oidc/client-metadata.js';

export type ClientInput = {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  sectorIdentifierUri?: string;
  public?: boolean;
  scope?: string;
  /** Absent: RS256 (Registration §2). */
  idTokenSigningAlg?: SigningAlgorithm;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  jwksUri?: string;
  /** The ISP's public keys inline (RFC 7591 `jwks`), instead of a jwks_uri. */
  jwks?: { keys: Array<Record<string, unknown>> };
  /** Encrypted ID tokens (JWE) to the ISP's `enc` key: key management alg, and content enc. */
  idTokenEncryptionAlg?: string;
  idTokenEncryptionEnc?: string;
  /** JAR (RFC 9101 §10.5): authorization requests only as a signed request object. */
  requireSignedRequestObject?: boolean;
  /** `fapi2`: the FAPI 2.0 Security Profile as a whole (oidc/fapi-profile.ts); absent: defaults. */
  profile?: typeof FAPI2;
  backchannelLogoutUri?: string;
  /** Per allowed scope, the purpose shown on the consent screen (both languages). */
  purposes?: ScopePurposes;
  /** The ISP's name in Chinese (`client_name#zh-CN`, Registration §2.1); `name` is the untagged one. */
  nameZh?: string;
  /** The law that requires this ISP to obtain plaintext identity (allows the identity scope). */
  legalBasis?: string;
  /** The same in Chinese, shown on Chinese pages. */
  legalBasisZh?: string;
  /** The lowest identity assurance a citizen needs here (docs/assurance.md). */
  minIdentityAssurance?: string;
  /** Legacy exception: this confidential ISP may sign in without PKCE, nonce then required. */
  allowNoPkce?: boolean;
  /** The lowest sign-in level here: low (default) or substantial (src/sign-in/acr.ts). */
  minAcr?: string;
};

export type ClientMetadata = Record<string, unknown> & { client_id: string };

type Dependencies = {
  queries: ClientQueries;
  envelope: Envelope;
  /** oidc-provider's own validation (schema, sector_identifier_uri fetch); throws on problems. */
  validateMetadata: (metadata: ClientMetadata) => Promise<void>;
  /** Production requires loopback-only (native) clients to name their own sector. */
  production?: boolean;
  /** The audit log: an ISP's own registration and updates (RFC 7591/7592) are recorded there. */
  audit?: Pick<AuditService, 'record'>;
};

export const DEFAULT_CLIENT_SCOPE = 'openid offline_access';
const secretAad = (clientId: string) => `clients/${clientId}/client_secret`;
const newClientId = () => `isp_${randomBytes(12).toString('hex')}`;
const newClientSecret = () => randomBytes(32).toString('base64url');

function toMetadata(clientId: string, input: ClientInput): ClientMetadata {
  const isPublic = input.public === true;
  const fapi2 = input.profile === FAPI2;
  const authMethod = isPublic ? 'none' : input.tokenEndpointAuthMethod ?? (fapi2 ? 'private_key_jwt' : 'client_secret_basic');
  const metadata: ClientMetadata = {
    client_id: clientId,
    client_name: input.name,
    application_type: isPublic && input.redirectUris.every((uri) => !uri.startsWith('https:')) ? 'native' : 'web',
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: authMethod,
    subject_type: 'pairwise',
    // FAPI 2.0 §5.4.1 rules RS256 out: a fapi2 client that names nothing gets PS256.
    id_token_signed_response_alg: input.idTokenSigningAlg ?? (fapi2 ? 'PS256' : DEFAULT_ID_TOKEN_ALG),
    require_auth_time: true, // ISPs always learn when the citizen authenticated
    scope: input.scope ?? DEFAULT_CLIENT_SCOPE,
  };
  if (input.sectorIdentifierUri) metadata.sector_identifier_uri = input.sectorIdentifierUri;
  if (input.jwksUri) metadata.jwks_uri = input.jwksUri;
  if (input.jwks) metadata.jwks = input.jwks;
  if (input.idTokenEncryptionAlg) {
    metadata.id_token_encrypted_response_alg = input.idTokenEncryptionAlg;
    metadata.id_token_encrypted_response_enc = input.idTokenEncryptionEnc ?? DEFAULT_ID_TOKEN_ENCRYPTION_ENC;
  }
  if (input.requireSignedRequestObject) metadata.require_signed_request_object = true;
  if (fapi2) Object.assign(metadata, { [SECURITY_PROFILE_PROPERTY]: FAPI2, ...FAPI2_IMPLIED_METADATA });
  if (input.purposes && Object.keys(input.purposes).length) metadata[PURPOSES_PROPERTY] = input.purposes;
  if (input.legalBasis?.trim()) metadata[LEGAL_BASIS_PROPERTY] = input.legalBasis.trim();
  if (input.nameZh?.trim()) metadata[CLIENT_NAME_ZH_PROPERTY] = input.nameZh.trim();
  if (input.legalBasisZh?.trim()) metadata[LEGAL_BASIS_ZH_PROPERTY] = input.legalBasisZh.trim();
  if (input.minIdentityAssurance && input.minIdentityAssurance !== 'low') metadata[MIN_ASSURANCE_PROPERTY] = input.minIdentityAssurance;
  if (input.allowNoPkce) metadata[PKCE_EXCEPTION_PROPERTY] = true;
  if (input.minAcr === 'substantial') metadata[MIN_ACR_PROPERTY] = input.minAcr;
  if (input.backchannelLogoutUri) {
    metadata.backchannel_logout_uri = input.backchannelLogoutUri;
    // Cancellation and revocation happen outside any browser session: logout tokens then name
    // the subject only (OIDC Back-Channel Logout §2.4), so the session id cannot be required.
    metadata.backchannel_logout_session_required = false;
  }
  return metadata;
}

/** JWE and JAR need the ISP's public keys (OIDC Registration §2, RFC 9101 §10.5). */
function keyUseProblems(input: ClientInput): string[] {
  const problems: string[] = [];
  const hasKeys = Boolean(input.jwksUri || input.jwks);
  if (input.idTokenEncryptionAlg !== undefined && !isIdTokenEncryptionAlg(input.idTokenEncryptionAlg)) problems.push(`--id-token-encryption-alg must be one of ${ID_TOKEN_ENCRYPTION_ALGS.join(', ')}`);
  if (input.idTokenEncryptionEnc !== undefined && !isIdTokenEncryptionEnc(input.idTokenEncryptionEnc)) problems.push(`--id-token-encryption-enc must be one of ${ID_TOKEN_ENCRYPTION_ENCS.join(', ')}`);
  if (input.idTokenEncryptionEnc !== undefined && input.idTokenEncryptionAlg === undefined) problems.push('--id-token-encryption-enc needs --id-token-encryption-alg');
  if (input.idTokenEncryptionAlg !== undefined && !hasKeys) problems.push('encrypted ID tokens need the ISP\'s encryption key: --jwks-uri or --jwks with a "use": "enc" key');
  if (input.requireSignedRequestObject && !hasKeys) problems.push('--require-signed-request-object needs the ISP\'s signing key: --jwks-uri or --jwks');
  return problems;
}

/** The profile's rules in the CLI's words (oidc-provider's validator states them again for registration). */
function fapi2Problems(input: ClientInput): string[] {
  if (input.profile !== FAPI2) return [`--profile must be ${FAPI2} or default`];
  const problems: string[] = [];
  if (input.public) problems.push('--profile fapi2 is for confidential clients only (FAPI 2.0 §5.3.2.1)');
  if (input.tokenEndpointAuthMethod && input.tokenEndpointAuthMethod !== 'private_key_jwt') problems.push('--profile fapi2 authenticates with private_key_jwt only (FAPI 2.0 §5.3.2.1): add --auth-method private_key_jwt');
  if (!input.jwksUri && !input.jwks) problems.push('--profile fapi2 needs the ISP\'s keys: --jwks-uri or --jwks (private_key_jwt)');
  if (input.idTokenSigningAlg && !(FAPI2_ALGORITHMS as readonly string[]).includes(input.idTokenSigningAlg)) problems.push(`--profile fapi2 signs ID tokens with ${FAPI2_ALGORITHMS.join(', ')} only (FAPI 2.0 §5.4.1): name one with --id-token-alg`);
  if (input.allowNoPkce) problems.push('--allow-no-pkce is not available under --profile fapi2 (FAPI 2.0 §5.3.2.2 requires PKCE)');
  return problems;
}

function secretRewrapSource(queries: ClientQueries, envelope: Envelope): RewrapSource {
  return {
    list: async (after, limit) => (await queries.listClientSecretCiphertexts(after, limit)).map((row) => ({ id: row.client_id, wrapped: row.secret_ciphertext })),
    current: (clientId) => queries.findClientSecretCiphertext(clientId),
    rewrap: ({ id, wrapped }) => envelope.rewrapSealed(wrapped, secretAad(id)),
    replace: (clientId, previous, next) => queries.replaceClientSecretCiphertext(clientId, previous, next),
    kekIdOf: (sealed) => envelope.kekIdOf(sealed),
  };
}

/** A sector pinned for a client registered before the port-less rule stays with it for good. */
function keepPinnedSector(current: Record<string, unknown>, next: Record<string, unknown>): void {
  if (current[PINNED_SECTOR_PROPERTY] !== undefined) next[PINNED_SECTOR_PROPERTY] = current[PINNED_SECTOR_PROPERTY];
}

/**
 * The pairwise sector decides every citizen's sub at an ISP (OIDC Core §8.1): an update that
 * moved it would silently give every citizen a new, unlinkable identity there. Applies to the
 * operator's updates and to the ISP's own (RFC 7592) alike.
 */
function refuseSectorMove(current: Record<string, unknown>, next: Record<string, unknown>): void {
  const [before, after] = [pairwiseSectorOf(current), pairwiseSectorOf(next)];
  if (before !== after) {
    throw new ValidationError([`this change moves the client's pairwise sector from "${before}" to "${after}", which would change the sub of every citizen at this ISP; keep the redirect URIs on ${before}, or register a sector_identifier_uri on https://${before}/ that lists the new redirect URIs`]);
  }
}

export function createClientService({ queries, envelope, validateMetadata, production = false, audit }: Dependencies) {
  function inputProblems(input: ClientInput): string[] {
    const problems: string[] = [];
    if (!input.name?.trim()) problems.push('name is required');
    if (!input.redirectUris?.length) problems.push('at least one redirect URI is required');
    problems.push(...redirectUriProblems(input.redirectUris ?? []));
    problems.push(...redirectUriProblems(input.postLogoutRedirectUris ?? [], 'post_logout_redirect_uris'));
    problems.push(...sectorProblems(input.redirectUris ?? [], input.sectorIdentifierUri, { production }));
    if (input.public && input.tokenEndpointAuthMethod) problems.push('a public client has no token endpoint authentication');
    // Without PKCE only client authentication protects the code: never for a public client.
    if (input.allowNoPkce && input.public) problems.push('--allow-no-pkce is only for confidential clients (a public client cannot authenticate, so PKCE is its only code protection)');
    if (input.tokenEndpointAuthMethod === 'private_key_jwt' && !input.jwksUri && !input.jwks) problems.push('private_key_jwt needs --jwks-uri or --jwks');
    if (input.jwksUri && input.jwks) problems.push('--jwks-uri and --jwks exclude each other (RFC 7591 §2)');
    if (input.profile !== undefined) problems.push(...fapi2Problems(input));
    problems.push(...keyUseProblems(input));
    // The ISP's scope allow-list: only catalogued scopes; plaintext identity needs a legal basis.
    const scopes = (input.scope ?? DEFAULT_CLIENT_SCOPE).split(' ').filter(Boolean);
    const unknown = scopes.filter((scope) => !(GRANTABLE_SCOPES as readonly string[]).includes(scope));
    if (unknown.length) problems.push(`unknown scope(s): ${unknown.join(', ')}; allowed: ${GRANTABLE_SCOPES.join(', ')}`);
    if (!scopes.includes('openid')) problems.push('scope must include openid');
    if (scopes.includes(IDENTITY_SCOPE) && !input.legalBasis?.trim()) problems.push(`the ${IDENTITY_SCOPE} scope needs --legal-basis (the law that requires the ISP to obtain identity data)`);
    if (input.minIdentityAssurance !== undefined && !isAssuranceLevel(input.minIdentityAssurance)) problems.push('--min-identity-assurance must be low, substantial or high');
    if (input.minAcr !== undefined && !['low', 'substantial'].includes(input.minAcr)) problems.push('--min-acr must be low or substantial');
    problems.push(...scopePurposesProblems(input.purposes));
    for (const scope of Object.keys(input.purposes ?? {})) {
      if (!scopes.includes(scope)) problems.push(`purpose given for scope "${scope}", which the client is not allowed`);
    }
    return problems;
  }

  async function validated(metadata: ClientMetadata, secret: string | undefined) {
    try {
      await validateMetadata(secret ? { ...metadata, client_secret: secret } : metadata);
    } catch (error) {
      const description = (error as { error_description?: string }).error_description ?? (error as Error).message;
      throw new ValidationError([description]);
    }
  }

  /** Stores metadata that has just passed validation (sector document included). */
  async function save(metadata: ClientMetadata, secret: string | undefined) {
    const stored = { ...metadata };
    if (stored.sector_identifier_uri) stored[SECTOR_VALIDATED_PROPERTY] = new Date().toISOString();
    else delete stored[SECTOR_VALIDATED_PROPERTY];
    await queries.upsertClient({
      client_id: metadata.client_id,
      name: String(metadata.client_name ?? metadata.client_id),
      metadata: stored,
      secret_ciphertext: secret ? envelope.seal(secret, secretAad(metadata.client_id)) : null,
    });
  }

  const describe = (row: ClientRow) => ({
    client_id: row.client_id,
    name: row.name,
    // Onboarding (client-onboarding.ts): only an active ISP signs citizens in.
    status: row.status,
    redirect_uris: row.metadata.redirect_uris,
    token_endpoint_auth_method: row.metadata.token_endpoint_auth_method,
    id_token_signed_response_alg: row.metadata.id_token_signed_response_alg,
    scope: row.metadata.scope,
    purposes: row.metadata[PURPOSES_PROPERTY] ?? {},
    name_zh: row.metadata[CLIENT_NAME_ZH_PROPERTY] ?? null,
    legal_basis: row.metadata[LEGAL_BASIS_PROPERTY] ?? null,
    legal_basis_zh: row.metadata[LEGAL_BASIS_ZH_PROPERTY] ?? null,
    min_identity_assurance: row.metadata[MIN_ASSURANCE_PROPERTY] ?? 'low',
    pkce_exception: row.metadata[PKCE_EXCEPTION_PROPERTY] === true,
    min_acr: row.metadata[MIN_ACR_PROPERTY] ?? 'low',
    profile: row.metadata[SECURITY_PROFILE_PROPERTY] ?? 'default',
    id_token_encrypted_response_alg: row.metadata.id_token_encrypted_response_alg ?? null,
    id_token_encrypted_response_enc: row.metadata.id_token_encrypted_response_enc ?? null,
    require_signed_request_object: row.metadata.require_signed_request_object === true,
    created_at: new Date(row.created_at).toISOString(),
  });

  return {
    async addClient(input: ClientInput): Promise<{ client_id: string; client_secret?: string }> {
      const problems = inputProblems(input);
      if (problems.length) throw new ValidationError(problems);
      const clientId = newClientId();
      const metadata = toMetadata(clientId, input);
      const secret = metadata.token_endpoint_auth_method === 'none' || metadata.token_endpoint_auth_method === 'private_key_jwt'
        ? undefined : newClientSecret();
      await validated(metadata, secret);
      await save(metadata, secret);
      return secret ? { client_id: clientId, client_secret: secret } : { client_id: clientId };
    },

    /** `profile: null` takes the client out of its profile, back to the defaults. */
    async updateClient(clientId: string, patch: Partial<Omit<ClientInput, 'profile'>> & { profile?: ClientInput['profile'] | null }) {
      const row = await queries.findClientById(clientId);
      if (!row) throw new NotFoundError(`no client ${clientId}`);
      const current = row.metadata;
      const input: ClientInput = {
        name: patch.name ?? String(current.client_name),
        redirectUris: patch.redirectUris ?? (current.redirect_uris as string[]),
        postLogoutRedirectUris: patch.postLogoutRedirectUris ?? (current.post_logout_redirect_uris as string[]),
        sectorIdentifierUri: patch.sectorIdentifierUri ?? (current.sector_identifier_uri as string | undefined),
        public: current.token_endpoint_auth_method === 'none',
        scope: patch.scope ?? (current.scope as string),
        idTokenSigningAlg: patch.idTokenSigningAlg ?? (current.id_token_signed_response_alg as SigningAlgorithm),
        backchannelLogoutUri: patch.backchannelLogoutUri ?? (current.backchannel_logout_uri as string | undefined),
        jwksUri: patch.jwksUri ?? (patch.jwks ? undefined : current.jwks_uri as string | undefined),
        jwks: patch.jwks ?? (patch.jwksUri ? undefined : current.jwks as ClientInput['jwks']),
        idTokenEncryptionAlg: patch.idTokenEncryptionAlg ?? (current.id_token_encrypted_response_alg as string | undefined),
        idTokenEncryptionEnc: patch.idTokenEncryptionEnc ?? (patch.idTokenEncryptionAlg ? undefined : current.id_token_encrypted_response_enc as string | undefined),
        requireSignedRequestObject: patch.requireSignedRequestObject ?? current.require_signed_request_object === true,
        profile: patch.profile === undefined ? current[SECURITY_PROFILE_PROPERTY] as ClientInput['profile'] : patch.profile ?? undefined,
        purposes: patch.purposes ?? (current[PURPOSES_PROPERTY] as ScopePurposes | undefined),
        nameZh: patch.nameZh ?? (current[CLIENT_NAME_ZH_PROPERTY] as string | undefined),
        legalBasis: patch.legalBasis ?? (current[LEGAL_BASIS_PROPERTY] as string | undefined),
        legalBasisZh: patch.legalBasisZh ?? (current[LEGAL_BASIS_ZH_PROPERTY] as string | undefined),
        minIdentityAssurance: patch.minIdentityAssurance ?? (current[MIN_ASSURANCE_PROPERTY] as string | undefined),
        allowNoPkce: patch.allowNoPkce ?? current[PKCE_EXCEPTION_PROPERTY] === true,
        minAcr: patch.minAcr ?? (current[MIN_ACR_PROPERTY] as string | undefined),
      };
      if (current.token_endpoint_auth_method !== 'none') {
        input.tokenEndpointAuthMethod = patch.tokenEndpointAuthMethod ?? current.token_endpoint_auth_method as ClientInput['tokenEndpointAuthMethod'];
      }
      const problems = inputProblems(input);
      if (problems.length) throw new ValidationError(problems);
      const metadata = toMetadata(clientId, input);
      // The pairwise sector decides every citizen's sub at this ISP (OIDC Core §8.1): an update
      // that moves it would silently give every citizen a new, unlinkable identity there.
      keepPinnedSector(current, metadata);
      refuseSectorMove(current, metadata);
      // A client moved to private_key_jwt has no use for its secret any more: it is dropped.
      const usesSecret = String(metadata.token_endpoint_auth_method).startsWith('client_secret');
      const secret = usesSecret && row.secret_ciphertext ? envelope.open(row.secret_ciphertext, secretAad(clientId)) : undefined;
      await validated(metadata, secret);
      await save(metadata, secret);
      return describe((await queries.findClientById(clientId))!);
    },

    async listClients() {
      return (await queries.listClients()).map(describe);
    },

    async findClient(clientId: string) {
      const row = await queries.findClientById(clientId);
      return row ? describe(row) : undefined;
    },

    /**
     * For oidc-provider: full metadata with the secret and the onboarding status (which routes
     * may see a client in which status is oidc/client-status-gate.ts's business), or undefined.
     */
    async loadClient(clientId: string): Promise<{ metadata: ClientMetadata; status: ClientStatus } | undefined> {
      const row = await queries.findClientById(clientId);
      if (!row) return undefined;
      const metadata: ClientMetadata = { ...row.metadata, client_id: row.client_id };
      if (row.secret_ciphertext) metadata.client_secret = envelope.open(row.secret_ciphertext, secretAad(row.client_id));
      return { metadata, status: row.status };
    },

    /** The onboarding status alone (registration responses say it; see client-status-gate.ts). */
    async statusOf(clientId: string): Promise<ClientStatus | undefined> {
      return (await queries.findClientById(clientId))?.status;
    },

    /**
     * Dynamic registration (RFC 7591, and RFC 7592 updates) stores what oidc-provider validated,
     * once it also meets the registry's own rules — the same ones the CLI applies.
     */
    async storeRegisteredClient(metadata: ClientMetadata): Promise<void> {
      const problems = clientMetadataProblems(metadata, { production });
      if (problems.length) throw new ValidationError(problems);
      const existing = await queries.findClientById(metadata.client_id);
      // The ISP may put itself under a profile, not take itself out of one the operator applied.
      if (existing?.metadata[SECURITY_PROFILE_PROPERTY] && metadata[SECURITY_PROFILE_PROPERTY] !== existing.metadata[SECURITY_PROFILE_PROPERTY]) {
        throw new ValidationError([`${SECURITY_PROFILE_PROPERTY} stays "${String(existing.metadata[SECURITY_PROFILE_PROPERTY])}": only the operator can change it`]);
      }
      if (existing) {
        keepPinnedSector(existing.metadata, metadata);
        refuseSectorMove(existing.metadata, metadata);
      }
      const { client_secret: secret, ...rest } = metadata;
      await save(rest as ClientMetadata, typeof secret === 'string' ? secret : undefined);
      // A self-registered ISP lands in review (client-onboarding.ts): the operator finds it here.
      const scopes = String(metadata.scope ?? '').split(' ').filter(Boolean);
      const profile = String(metadata[SECURITY_PROFILE_PROPERTY] ?? 'default');
      await audit?.record(existing
        ? { type: 'client.updated', clientId: metadata.client_id, actor: 'isp', details: { scopes, status: existing.status, profile } }
        : { type: 'client.registered', clientId: metadata.client_id, actor: 'isp', details: { reason_code: 'dynamic_registration', status: 'submitted', profile } });
    },

    deleteClient: (clientId: string) => queries.deleteClient(clientId),

    /** KEK rotation: the client secrets as a source of wrapped data keys (see crypto/rewrap.ts). */
    rewrapSource: () => secretRewrapSource(queries, envelope),

    /**
     * KEK rotation: re-wraps each client secret's data key under the active KEK. Only the secret
     * column is written, compare-and-set, so a concurrent update of the client is never undone.
     */
    rewrapClientSecrets(options?: RewrapOptions): Promise<RewrapCounts> {
      return rewrapAll(secretRewrapSource(queries, envelope), options);
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
