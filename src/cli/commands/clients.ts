// cyberid client add|list|show|update|history and the onboarding decisions
// approve|activate|suspend|reactivate (services/client-onboarding.ts).
import { json, requireString, stringList, UsageError, type Command } from '../command.js';
import type { ClientInput } from '../../services/clients.js';
import { DEFAULT_ID_TOKEN_ALG, SIGNING_ALGORITHMS, isSigningAlgorithm } from '../../services/signing-keys.js';
import type { ScopePurposes } from '../../oidc/client-metadata.js';
import { ONBOARDING_DECISIONS, type OnboardingDecision } from '../../services/client-onboarding.js';

const metadataOptions = {
  name: { type: 'string' },
  'name-zh': { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'sector-identifier-uri': { type: 'string' },
  scope: { type: 'string' },
  'id-token-alg': { type: 'string' },
  'allow-no-pkce': { type: 'boolean' },
  'auth-method': { type: 'string' },
  'jwks-uri': { type: 'string' },
  jwks: { type: 'string' },
  profile: { type: 'string' },
  'id-token-encryption-alg': { type: 'string' },
  'id-token-encryption-enc': { type: 'string' },
  'require-signed-request-object': { type: 'boolean' },
  'backchannel-logout-uri': { type: 'string' },
  purpose: { type: 'string', multiple: true },
  'legal-basis': { type: 'string' },
  'legal-basis-zh': { type: 'string' },
  'min-identity-assurance': { type: 'string' },
  'min-acr': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** --purpose age.en="Check you are an adult" --purpose age.zh-CN="确认您已成年" */
function purposes(values: Record<string, unknown>): ScopePurposes | undefined {
  const entries = stringList(values, 'purpose');
  if (!entries.length) return undefined;
  const result: Record<string, Record<string, string>> = {};
  for (const entry of entries) {
    const match = /^([a-z_]+)\.(en|zh-CN)=(.+)$/s.exec(entry);
    if (!match) throw new UsageError('--purpose must look like SCOPE.en=TEXT or SCOPE.zh-CN=TEXT');
    const [, scope, lang, text] = match as unknown as [string, string, string, string];
    (result[scope] ??= {})[lang] = text;
  }
  return result as ScopePurposes;
}

function algorithm(value: unknown): ClientInput['idTokenSigningAlg'] {
  if (value === undefined) return undefined;
  if (isSigningAlgorithm(value)) return value;
  throw new UsageError(`--id-token-alg must be one of ${SIGNING_ALGORITHMS.join(', ')} (default ${DEFAULT_ID_TOKEN_ALG})`);
}

function authMethod(value: unknown): ClientInput['tokenEndpointAuthMethod'] {
  if (value === undefined) return undefined;
  if (value === 'client_secret_basic' || value === 'client_secret_post' || value === 'private_key_jwt') return value;
  throw new UsageError('--auth-method must be client_secret_basic, client_secret_post or private_key_jwt');
}

/** --jwks '{"keys":[…]}': the ISP's public keys inline (RFC 7591 §2), for hosts without a jwks_uri. */
function jwks(value: unknown): ClientInput['jwks'] {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    throw new UsageError('--jwks must be a JSON JWK Set: {"keys":[…]}');
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) throw new UsageError('--jwks must be a JSON JWK Set: {"keys":[…]}');
  return parsed as ClientInput['jwks'];
}

/** --profile fapi2 | default (update only: back to the defaults). */
function profile(value: unknown, allowDefault: boolean): ClientInput['profile'] | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'fapi2') return value;
  if (value === 'default' && allowDefault) return null;
  throw new UsageError(allowDefault ? '--profile must be fapi2 or default' : '--profile must be fapi2');
}

/** JWE ID tokens and JAR, both needing the ISP's keys (--jwks-uri or --jwks). */
const keyUses = (values: Record<string, unknown>) => ({
  idTokenEncryptionAlg: optional(values['id-token-encryption-alg']),
  idTokenEncryptionEnc: optional(values['id-token-encryption-enc']),
  requireSignedRequestObject: values['require-signed-request-object'] === true ? true : undefined,
});

const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
const optionalList = (values: Record<string, unknown>, name: string) => (values[name] === undefined ? undefined : stringList(values, name));

const describeClient = (client: Record<string, unknown>) =>
  `${String(client.client_id)}  [${String(client.status)}] ${String(client.name)}  ${(client.redirect_uris as string[]).join(' ')}\n`;

const DECISION_SUMMARIES: Record<OnboardingDecision, string> = {
  approve: 'approve a submitted ISP after review (it is not yet in service)',
  activate: 'put an approved ISP into service: it may sign citizens in',
  suspend: 'stop an active ISP signing citizens in and revoke every token it holds',
  reactivate: 'return a suspended ISP to service (citizens sign in and consent anew)',
};

export const clientCommands: Command[] = [
  {
    name: 'client add',
    summary: 'register an ISP, submitted for review (prints client_id and, for confidential clients, client_secret)',
    usage: 'client add --name NAME [--name-zh 中文名称] --redirect-uri URI [--redirect-uri URI…] [--post-logout-redirect-uri URI] [--sector-identifier-uri URI] [--public] [--scope "…"] [--id-token-alg RS256|ES256|PS256|EdDSA] [--auth-method client_secret_basic|client_secret_post|private_key_jwt --jwks-uri URI | --jwks JSON] [--id-token-encryption-alg ALG [--id-token-encryption-enc ENC]] [--require-signed-request-object] [--profile fapi2] [--backchannel-logout-uri URI] [--purpose SCOPE.en=TEXT --purpose SCOPE.zh-CN=TEXT…] [--legal-basis "LAW REFERENCE" [--legal-basis-zh "法律依据"]] [--min-identity-assurance low|substantial|high] [--allow-no-pkce] [--min-acr low|substantial] --json',
    options: { ...metadataOptions, public: { type: 'boolean' } },
    async run(container, values) {
      const created = await container.clients.addClient({
        name: requireString(values, 'name'),
        redirectUris: stringList(values, 'redirect-uri'),
        postLogoutRedirectUris: stringList(values, 'post-logout-redirect-uri'),
        sectorIdentifierUri: optional(values['sector-identifier-uri']),
        public: values.public === true,
        scope: optional(values.scope),
        idTokenSigningAlg: algorithm(values['id-token-alg']),
        tokenEndpointAuthMethod: authMethod(values['auth-method']),
        jwksUri: optional(values['jwks-uri']),
        jwks: jwks(values.jwks),
        profile: profile(values.profile, false) ?? undefined,
        ...keyUses(values),
        backchannelLogoutUri: optional(values['backchannel-logout-uri']),
        purposes: purposes(values),
        nameZh: optional(values['name-zh']),
        legalBasis: optional(values['legal-basis']),
        legalBasisZh: optional(values['legal-basis-zh']),
        minIdentityAssurance: optional(values['min-identity-assurance']),
        allowNoPkce: values['allow-no-pkce'] === true,
        minAcr: optional(values['min-acr']),
      });
      await container.audit.record({ type: 'client.registered', clientId: created.client_id, actor: 'operator', details: { reason_code: 'cli', profile: values.profile === 'fapi2' ? 'fapi2' : 'default' } });
      if (values['allow-no-pkce'] === true) await container.audit.record({ type: 'client.pkce_exception', clientId: created.client_id, actor: 'operator', details: { status: 'granted' } });
      // A new ISP awaits review like a self-registered one (client-onboarding.ts); --json keeps
      // to the contract of printing exactly the credentials.
      const next = `status: submitted (not yet in service: cyberid client approve ${created.client_id} --reason "…", then client activate)\n`;
      return { output: values.json ? json(created) : `client_id: ${created.client_id}\n${created.client_secret ? `client_secret: ${created.client_secret}\n` : ''}${next}` };
    },
  },
  {
    name: 'client list',
    summary: 'list registered ISPs',
    usage: 'client list [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const clients = await container.clients.listClients();
      return { output: values.json ? json(clients) : clients.map(describeClient).join('') || 'no clients\n' };
    },
  },
  {
    name: 'client show',
    summary: 'show one ISP',
    usage: 'client show CLIENT_ID',
    options: {},
    async run(container, _values, [clientId]) {
      if (!clientId) throw new UsageError('CLIENT_ID is required');
      const client = await container.clients.findClient(clientId);
      if (!client) return { output: `no client ${clientId}\n`, exitCode: 1 };
      return { output: json(client) };
    },
  },
  {
    name: 'client update',
    summary: 'change an ISP\'s name, URIs, scope, algorithm or profile (secret unchanged unless it moves to private_key_jwt)',
    usage: 'client update CLIENT_ID [--name NAME] [--name-zh 中文名称] [--redirect-uri URI…] [--post-logout-redirect-uri URI…] [--sector-identifier-uri URI] [--scope "…"] [--id-token-alg RS256|ES256|PS256|EdDSA] [--auth-method private_key_jwt] [--jwks-uri URI | --jwks JSON] [--id-token-encryption-alg ALG [--id-token-encryption-enc ENC]] [--require-signed-request-object] [--profile fapi2|default] [--backchannel-logout-uri URI] [--purpose SCOPE.LANG=TEXT…] [--legal-basis "LAW REFERENCE" [--legal-basis-zh "法律依据"]] [--min-identity-assurance low|substantial|high] [--allow-no-pkce | --require-pkce] [--min-acr low|substantial]',
    options: { ...metadataOptions, 'require-pkce': { type: 'boolean' } },
    async run(container, values, [clientId]) {
      if (!clientId) throw new UsageError('CLIENT_ID is required');
      if (values['allow-no-pkce'] && values['require-pkce']) throw new UsageError('--allow-no-pkce and --require-pkce contradict each other');
      const pkceChange = values['allow-no-pkce'] === true ? true : values['require-pkce'] === true ? false : undefined;
      const before = await container.clients.findClient(clientId);
      const updated = await container.clients.updateClient(clientId, {
        name: optional(values.name),
        redirectUris: optionalList(values, 'redirect-uri'),
        postLogoutRedirectUris: optionalList(values, 'post-logout-redirect-uri'),
        sectorIdentifierUri: optional(values['sector-identifier-uri']),
        scope: optional(values.scope),
        idTokenSigningAlg: algorithm(values['id-token-alg']),
        backchannelLogoutUri: optional(values['backchannel-logout-uri']),
        jwksUri: optional(values['jwks-uri']),
        jwks: jwks(values.jwks),
        tokenEndpointAuthMethod: authMethod(values['auth-method']),
        profile: profile(values.profile, true),
        ...keyUses(values),
        purposes: purposes(values),
        nameZh: optional(values['name-zh']),
        legalBasis: optional(values['legal-basis']),
        legalBasisZh: optional(values['legal-basis-zh']),
        minIdentityAssurance: optional(values['min-identity-assurance']),
        allowNoPkce: pkceChange,
        minAcr: optional(values['min-acr']),
      });
      await container.audit.record({ type: 'client.updated', clientId, actor: 'operator', details: { scopes: String(updated.scope ?? '').split(' ').filter(Boolean), profile: String(updated.profile) } });
      if (before && before.pkce_exception !== updated.pkce_exception) {
        await container.audit.record({ type: 'client.pkce_exception', clientId, actor: 'operator', details: { status: updated.pkce_exception ? 'granted' : 'withdrawn' } });
      }
      return { output: json(updated) };
    },
  },
  ...(Object.keys(ONBOARDING_DECISIONS) as OnboardingDecision[]).map((decision): Command => ({
    name: `client ${decision}`,
    summary: DECISION_SUMMARIES[decision],
    usage: `client ${decision} CLIENT_ID --reason "…" [--json]`,
    options: { reason: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values, [clientId]) {
      if (!clientId) throw new UsageError('CLIENT_ID is required');
      const reason = requireString(values, 'reason');
      const result = await container.clientOnboarding.decide(decision, clientId, { reason, by: { actor: 'operator' } });
      if (values.json) return { output: json(result) };
      const revoked = result.revoked === undefined ? '' : `; ${result.revoked} grant(s) and their tokens revoked`;
      return { output: `${clientId} is now ${result.status}${revoked}\n` };
    },
  })),
  {
    name: 'client history',
    summary: 'an ISP\'s onboarding decisions, with their reasons',
    usage: 'client history CLIENT_ID',
    options: {},
    async run(container, _values, [clientId]) {
      if (!clientId) throw new UsageError('CLIENT_ID is required');
      return { output: json(await container.clientOnboarding.history(clientId)) };
    },
  },
];
