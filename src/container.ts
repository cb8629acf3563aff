// The composition root: builds the whole object graph from a Config. The server, the CLI and
// the tests all build the same graph here; no module holds its own database, Redis or config.
import type { DestinationStream } from 'pino';
import type { Config } from './config/config.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createEnvelope } from './crypto/envelope.js';
import { createRedisStore } from './storage/redis-store.js';
import { createMemoryStore } from './storage/memory-store.js';
import type { EphemeralStore } from './storage/model-store.js';
import { createOidcPayloadQueries } from './queries/oidc-payloads.js';
import { createLogPartitionQueries } from './queries/log-partitions.js';
import { createLogPartitions } from './services/log-partitions.js';
import { createCitizenQueries } from './queries/citizens.js';
import { createClientQueries } from './queries/clients.js';
import { createCachedClientQueries, createLocalClientChangeBus, createRedisClientChangeBus } from './services/client-cache.js';
import { createSigningKeyQueries } from './queries/signing-keys.js';
import { createAuditLogQueries } from './queries/audit-log.js';
import { createSandboxIdentityQueries } from './queries/sandbox-identities.js';
import { createSandboxAuthority, createSandboxRegistry, deriveSandboxKey } from './identity-authority/sandbox.js';
import { createHttpAuthority } from './identity-authority/http.js';
import type { IdentityAuthority } from './identity-authority/port.js';
import { createPasswordHasher } from './services/password-hasher.js';
import { createIdentityVault } from './services/identity-vault.js';
import { createCitizenService } from './services/citizens.js';
import { createClientService } from './services/clients.js';
import { createClientOnboarding } from './services/client-onboarding.js';
import { createAuthenticationLog } from './services/authentication-log.js';
import { createGrantCopies } from './oidc/grant-copies.js';
import { createAuthenticationLogQueries } from './queries/authentication-log.js';
import { createSigningKeyService } from './services/signing-keys.js';
import { createRedisKeyChangeSignal, singleInstanceKeySignal } from './oidc/key-change-signal.js';
import { createAuditService } from './services/audit.js';
import { createAdapterFactory, createGrantRevoker } from './oidc/adapter.js';
import { createProviderPages } from './oidc/pages.js';
import { createProvider } from './oidc/provider.js';
import { createProviderHolder } from './oidc/provider-holder.js';
import { createViewRenderer } from './web/views.js';
import { createAccountSessions } from './services/account-sessions.js';
import { createGrantRevocations } from './services/grant-revocations.js';
import { createLogoutDeliveries } from './services/logout-deliveries.js';
import { createLogoutOutboxQueries } from './queries/logout-outbox.js';
import { createConnectionQueries } from './queries/connections.js';
import { createConnectionService } from './services/connections.js';
import { createAccountNoticeQueries } from './queries/account-notices.js';
import { createKnownDeviceQueries } from './queries/known-devices.js';
import { createAccountNotices } from './services/account-notices.js';
import { createKnownDevices, deriveDeviceKey } from './services/known-devices.js';
import { createActivity } from './services/activity.js';
import { createCredentials } from './services/credentials.js';
import { createTwoFactor } from './services/two-factor.js';
import { createDataExport } from './services/data-export.js';
import { createAccountLifecycle } from './services/account-lifecycle.js';
import { createGuardianship } from './services/guardianship.js';
import { createApplicationService } from './services/applications.js';
import { createKekRotation } from './services/kek-rotation.js';
import { createLawfulAccessQueries } from './queries/lawful-access.js';
import { createLawfulAccessService, createSectorLookup } from './services/lawful-access.js';
import { createClaimsFor } from './oidc/claims.js';
import { createIspEvents } from './services/isp-events.js';
import { createEnrolmentAttesterQueries } from './queries/enrolment-attesters.js';
import { createAttesterRegistry } from './proofing/attester-registry.js';
import { createAttestationVerifier } from './proofing/attestations.js';
import { createSandboxAttester, deriveSandboxAttesterKeys } from './proofing/sandbox-attester.js';
import { createAssuranceRaise } from './proofing/assurance-raise.js';
import { createAccountRecovery } from './services/account-recovery.js';
import { createRecoveryRequestQueries } from './queries/recovery-requests.js';
import { createSignInArea } from './sign-in/index.js';
import { createPasskeys } from './sign-in/passkeys.js';
import { createPasskeyMethod } from './sign-in/methods/passkey.js';
import { clientDisplayName, clientDisplayNames } from './oidc/client-names.js';
import type { Locale } from './web/i18n.js';
import { createPasskeyQueries } from './queries/passkeys.js';
import { createRecoveryCodeQueries } from './queries/recovery-codes.js';
import { createRecoveryCodes, deriveRecoveryCodeKey } from './sign-in/recovery-codes.js';
import { createRecoveryCodeMethod } from './sign-in/methods/recovery-code.js';
import { createNotifications } from './notifications/notifications.js';
import { createContacts } from './notifications/contacts.js';
import { contactRewrapSource } from './notifications/contact-sealing.js';
import { createDisclosureNotices } from './notifications/disclosure-notices.js';
import { createApplicationTokens } from './web/application-cookie.js';
import { createAccountEvents } from './services/account-events.js';
import { createOperatorArea } from './operators/index.js';
import { createOperatorQueries } from './queries/operators.js';
import { operatorTotpRewrapSource } from './operators/totp.js';

export type ContainerOptions = {
  /** Where logs go (tests capture them to scan for personal data). */
  logDestination?: DestinationStream;
  /** PostgreSQL schema to use (tests isolate each run). */
  schema?: string;
  /** Redis key prefix (tests isolate each run). */
  redisPrefix?: string;
  /** Outgoing HTTP for oidc-provider (sector_identifier_uri, jwks_uri). */
  fetch?: typeof globalThis.fetch;
  /** Apply pending migrations while starting (the server does; `cyberid migrate` is explicit). */
  migrate?: boolean;
  /** Overrides LOG_LEVEL (the CLI keeps its output quiet). */
  logLevel?: string;
};

export async function buildContainer(config: Config, options: ContainerOptions = {}) {
  const logger = createLogger(options.logLevel ?? config.logLevel, options.logDestination);
  const metrics = createMetrics();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: options.schema });
  if (options.migrate !== false) await migrateToLatest(db.knex);
  const redisTarget = config.redisClusterNodes ? { clusterNodes: config.redisClusterNodes } : config.redisUrl ? { url: config.redisUrl } : undefined;
  const redisStore = redisTarget ? createRedisStore({ ...redisTarget, prefix: options.redisPrefix }) : undefined;
  const ephemeral: EphemeralStore = redisStore ?? createMemoryStore();
  // ISP rows cached in each instance, dropped on every instance when one changes
  // (services/client-cache.ts): saves the PostgreSQL read oidc-provider makes per request.
  const clientChanges = redisStore ? createRedisClientChangeBus(redisStore.redis, redisStore.prefix) : createLocalClientChangeBus();
  const clientQueries = createCachedClientQueries(createClientQueries(db.knex), clientChanges);

  const envelope = createEnvelope(config.secrets.keyEncryptionKeys);
  // Email and SMS notices: written to the durable outbox in the event's transaction, delivered
  // by the outbox worker (main.ts starts it).
  const notifications = createNotifications({ knex: db.knex, envelope, config, logger, fetch: options.fetch });
  const durable = createOidcPayloadQueries(db.knex);
  const hasher = createPasswordHasher(config.passwordHashing);
  const citizenQueries = createCitizenQueries(db.knex);
  const audit = createAuditService({
    queries: createAuditLogQueries(db.knex),
    citizens: citizenQueries,
    onDetachedFailure: (error, event) => logger.error({ type: event.type, err: { message: (error as Error).message } }, 'audit write failed'),
  });
  // Every decryption of identity data is an audit event (fields and purpose, never values).
  const vault = createIdentityVault({
    envelope,
    blindIndexSecret: config.secrets.blindIndexSecret,
    onAccess: ({ citizenId, fields, purpose }) =>
      audit.record({ type: 'identity.decrypted', citizenId, actor: 'system', details: { fields, purpose } }),
  });

  const citizens = createCitizenService({
    queries: citizenQueries,
    hasher,
    vault,
    production: config.env === 'production',
  });
  const signingKeys = createSigningKeyService({
    queries: createSigningKeyQueries(db.knex),
    envelope,
    retiredKeyGraceSeconds: config.signing.retiredKeyGraceSeconds,
  });
  const keyChanges = redisStore ? createRedisKeyChangeSignal(redisStore.redis, redisStore.prefix, logger) : singleInstanceKeySignal;
  // Every rotation (CLI, console, admin API) tells the other instances at once.
  const keys: typeof signingKeys = {
    ...signingKeys,
    async rotateSigningKeys(activateAfterSeconds) {
      const rotated = await signingKeys.rotateSigningKeys(activateAfterSeconds);
      await keyChanges.announce();
      return rotated;
    },
  };
  // The real identity authority when configured; otherwise (never in production: config
  // refuses) the sandbox of synthetic identities (docs/sandbox.md).
  const sandboxQueries = createSandboxIdentityQueries(db.knex);
  const sandboxKey = deriveSandboxKey(config.secrets.blindIndexSecret);
  const sandboxIdentities = createSandboxRegistry({ queries: sandboxQueries, key: sandboxKey, production: config.env === 'production' });
  const { url: authorityUrl, token: bearerToken, ...authority } = config.identityAuthority;
  const identityAuthority: IdentityAuthority = authorityUrl
    ? createHttpAuthority({ ...authority, url: authorityUrl, credentials: { bearerToken }, logger })
    : createSandboxAuthority({ queries: sandboxQueries, key: sandboxKey });
  // Identity proofing (docs/assurance.md): registered enrolment attesters, and outside
  // production the sandbox attester, whose attestations raise an account's assurance level.
  const attesterQueries = createEnrolmentAttesterQueries(db.knex);
  const attesters = createAttesterRegistry({ queries: attesterQueries, record: (event) => audit.record(event) });
  const sandboxAttester = createSandboxAttester({
    keys: deriveSandboxAttesterKeys(config.secrets.blindIndexSecret),
    audience: config.issuer,
    production: config.env === 'production',
    isSandboxDocument: sandboxIdentities.holds,
  });
  const attestations = createAttestationVerifier({
    attesters: attesterQueries,
    store: ephemeral,
    audience: config.issuer,
    challengeTtlSeconds: config.proofing.challengeSeconds,
    extraKeys: sandboxAttester.trustedKeys(),
  });
  const assuranceRaise = createAssuranceRaise({ attestations, vault, queries: citizenQueries, record: (event) => audit.record(event) });
  // The authentication log lawful assistance may provide: network data sealed per citizen.
  const authenticationLog = createAuthenticationLog({
    queries: createAuthenticationLogQueries(db.knex),
    envelope,
    retentionDays: config.authenticationLog.retentionDays,
    onDetachedFailure: (error) => logger.error({ err: { message: (error as Error).message } }, 'authentication log write failed'),
  });
  // The logs' monthly partitions, created ahead (main.ts hourly, `cyberid partitions`).
  const logPartitions = createLogPartitions({ queries: createLogPartitionQueries(db.knex) });
  // Clients are validated by oidc-provider itself, so the holder must exist first.
  let providerHolder: ReturnType<typeof createProviderHolder> | undefined;
  const clients = createClientService({
    queries: clientQueries,
    envelope,
    validateMetadata: async (metadata) => providerHolder!.current().Client.validate(metadata),
    production: config.env === 'production',
    audit,
  });

  const render = createViewRenderer();
  const grants = createGrantCopies(durable, ephemeral);
  const revokeGrant = createGrantRevoker(grants, ephemeral);
  const adapter = createAdapterFactory({ durable, ephemeral, grants, clients, revokeGrant });
  const pages = createProviderPages(render);
  // One computation of a citizen's claims: what the ID token and userinfo carry, and what the
  // audit log, the dashboard and the export record as released.
  const claimsFor = createClaimsFor(vault);
  // Back-channel logouts: queued durably, delivered and retried (services/logout-deliveries.ts).
  const logoutDeliveries = createLogoutDeliveries({
    queries: createLogoutOutboxQueries(db.knex),
    provider: () => providerHolder!.current(),
    logger,
    retry: { baseSeconds: config.logoutDeliveries.retryBaseSeconds, maxSeconds: config.logoutDeliveries.retryMaxSeconds, maxAttempts: config.logoutDeliveries.maxAttempts, leaseSeconds: config.logoutDeliveries.leaseSeconds },
    failedRetentionDays: config.logoutDeliveries.failedRetentionDays,
    observe: (outcome) => metrics.logoutDeliveries.inc({ outcome }),
  });
  providerHolder = createProviderHolder({
    keys,
    logger,
    build: (jwks) => createProvider({
      config, adapter, citizens, pages, jwks, logger, fetch: options.fetch,
      queueLogout: logoutDeliveries.enqueue,
      claimsFor,
      findGrantsByAccount: durable.findGrantsByAccount,
      clientStatus: clients.statusOf,
      recordAuthentication: authenticationLog.record,
      onTokenRevoked: (event) => ispEvents.onTokenRevoked(event),
      onAuthorizationSuccess: (event) => ispEvents.onAuthorizationSuccess(event),
    }),
  });
  await keys.ensureSigningKeys();
  await providerHolder.refresh();

  const currentProvider = () => providerHolder!.current();
  const accountSessions = createAccountSessions(ephemeral, config.ttl.accountSessionIdleSeconds);
  const revocations = createGrantRevocations({
    findGrantsByAccount: durable.findGrantsByAccount,
    findGrantIdsByClient: durable.findGrantIdsByClient,
    revokeGrant,
    provider: currentProvider,
    logger,
  });
  // ISP onboarding: submitted → approved → active → suspended (→ active), each decision audited.
  const clientOnboarding = createClientOnboarding({
    queries: clientQueries,
    audit,
    revokeEveryGrantOfClient: revocations.revokeEveryGrantOfClient,
  });
  const connectionQueries = createConnectionQueries(db.knex);
  const connections = createConnectionService({ queries: connectionQueries, revocations, provider: currentProvider, pairwiseSecret: config.secrets.pairwiseSecret });
  const ispEvents = createIspEvents({
    citizens: citizenQueries,
    claimsFor,
    audit,
    recordSignIn: connections.recordSignIn,
    notifyNewConnection: (citizenId, clientId) => accountNotices.newConnection(citizenId, clientId),
  });
  // The citizen's dashboard: notices, known devices, activity, password change, data export.
  /** An ISP's name in the reader's language (client-names.ts); undefined when no such client exists. */
  const clientName = async (clientId: string, locale: Locale = 'en'): Promise<string | undefined> => {
    const client = await currentProvider().Client.find(clientId).catch(() => undefined);
    return client ? clientDisplayName(client as unknown as Record<string, unknown>, locale, clientId) : undefined;
  };
  /** The same in every language: a notice names the ISP in the language of the address it reaches. */
  const clientNames = async (clientId: string): Promise<Record<Locale, string> | undefined> => {
    const client = await currentProvider().Client.find(clientId).catch(() => undefined);
    return client ? clientDisplayNames(client as unknown as Record<string, unknown>, clientId) : undefined;
  };
  const noticeQueries = createAccountNoticeQueries(db.knex);
  const deviceQueries = createKnownDeviceQueries(db.knex);
  const accountNotices = createAccountNotices(noticeQueries);
  const knownDevices = createKnownDevices({
    queries: deviceQueries,
    notices: accountNotices,
    key: deriveDeviceKey(config.secrets.blindIndexSecret),
    notifyNewDevice: async (citizenId, clientId, trx) =>
      notifications.notify(trx, citizenId, 'new_device', { at: new Date().toISOString(), isp: clientId ? await clientNames(clientId) : undefined }),
    transaction: (work) => db.knex.transaction(work),
  });
  const activity = createActivity({ audit, clientName });
  // An account change, its audit entry and the notice it causes: one transaction (account-events.ts).
  const accountEvents = createAccountEvents({ knex: db.knex, audit, notify: notifications.notify });
  // The citizen's email address and mobile number for notices, each confirmed by a code.
  const contacts = createContacts({
    queries: notifications.contactQueries,
    sealing: notifications.sealing,
    channels: notifications.channels,
    hasher,
    counters: ephemeral,
    events: accountEvents,
    codeSecret: config.secrets.blindIndexSecret,
  });
  const credentials = createCredentials({
    queries: citizenQueries,
    hasher,
    sessions: accountSessions,
    vault,
    counters: ephemeral,
    rateLimit: config.rateLimit,
    events: accountEvents,
  });
  // The optional second factor (TOTP): secrets sealed with the envelope, codes single-use.
  const twoFactor = createTwoFactor({
    queries: citizenQueries,
    envelope,
    store: ephemeral,
    hasher,
    rateLimit: config.rateLimit,
    events: accountEvents,
  });
  // How a citizen proves who they are (src/sign-in/), for the ISP interaction and the account pages.
  const passkeyQueries = createPasskeyQueries(db.knex);
  const passkeys = createPasskeys({
    queries: passkeyQueries,
    store: ephemeral,
    issuer: config.issuer,
    userHandleSecret: config.secrets.blindIndexSecret,
    events: accountEvents,
  });
  // Ten single-use codes that stand in for the second factor or the passkey (recovery-codes.ts).
  const recoveryCodeQueries = createRecoveryCodeQueries(db.knex);
  const recoveryCodes = createRecoveryCodes({
    queries: recoveryCodeQueries,
    events: accountEvents,
    key: deriveRecoveryCodeKey(config.secrets.blindIndexSecret),
    notices: accountNotices,
    hasher,
    counters: ephemeral,
    rateLimit: config.rateLimit,
  });
  const signIn = createSignInArea({
    extraMethods: [
      createPasskeyMethod({ passkeys, queries: citizenQueries }),
      createRecoveryCodeMethod({ codes: recoveryCodes, hasFactor: async (citizen) => twoFactor.isEnabled(citizen) || (await passkeys.has(citizen.id)) }),
    ],
    queries: citizenQueries,
    hasher,
    twoFactor,
    store: ephemeral,
    blindIndexSecret: config.secrets.blindIndexSecret,
    limits: config.signInLimits,
    devices: knownDevices,
    notices: accountNotices,
    audit,
    authLog: authenticationLog,
    observe: (outcome) => metrics.signIns.inc({ outcome }),
  });
  const dataExport = createDataExport({
    vault,
    citizens: citizenQueries,
    connections,
    devices: knownDevices,
    notices: accountNotices,
    activity,
    recoveryCodes,
    contacts,
    clientName,
  });
  const lifecycle = createAccountLifecycle({
    queries: citizenQueries,
    vault,
    hasher,
    sessions: accountSessions,
    revocations,
    // Cancellation forgets every record about the citizen beyond the ID row and the audit log.
    forgetConnections: async (citizenId, trx) => {
      await connectionQueries.deleteAllConnections(citizenId, trx);
      await deviceQueries.deleteDevicesOf(citizenId, trx);
      await noticeQueries.deleteNoticesOf(citizenId, trx);
      await passkeyQueries.deletePasskeysOf(citizenId, trx);
      await recoveryCodeQueries.deleteCodesOf(citizenId, trx);
    },
    events: accountEvents,
  });
  // Recovery (docs/assurance.md): evidence at least as strong as the account's level; facts
  // alone on an account with a second factor wait, told and cancellable.
  const recovery = createAccountRecovery({
    queries: citizenQueries,
    requests: createRecoveryRequestQueries(db.knex),
    vault,
    hasher,
    sessions: accountSessions,
    attestations,
    counters: ephemeral,
    rateLimit: config.rateLimit,
    delaySeconds: config.proofing.recoveryDelaySeconds,
    // Told by email and SMS through the outbox, besides the dashboard of every signed-in session.
    events: accountEvents,
  });
  const guardianship = createGuardianship({
    citizens: citizenQueries,
    connections: connectionQueries,
    connectionService: connections,
    vault,
    authority: identityAuthority,
    record: ({ type, citizenId, clientId, actorId, actor = 'guardian' }) =>
      audit.record({ type, citizenId, clientId, actor, details: { guardian_id: actorId } }),
    notifyGuardianRequest: async (guardianId, clientId, trx) =>
      notifications.notify(trx, guardianId, 'guardian_request', { at: new Date().toISOString(), isp: await clientNames(clientId) }),
    transaction: (work) => db.knex.transaction(work),
    endSessions: (citizenId) => accountSessions.endAll(citizenId),
  });
  const applications = createApplicationService({
    queries: citizenQueries,
    vault,
    hasher,
    authority: identityAuthority,
    isActiveAdult: guardianship.isActiveAdult,
    confirmGuardian: guardianship.confirmLink,
    attestations,
    transaction: (work) => db.knex.transaction(work),
    // In the application's transaction: its audit entry, and for a 14–17-year-old naming a
    // guardian, the guardian's notice that an account waits for them.
    onApplied: async (citizen, by, trx) => {
      await audit.record({ type: 'account.applied', citizenId: citizen.id, actor: by === 'guardian' ? 'guardian' : 'citizen', details: { status: citizen.status } }, { trx });
      if (citizen.status === 'pending_guardian' && citizen.guardian_id) {
        await notifications.notify(trx, citizen.guardian_id, 'guardian_request', { at: new Date().toISOString() }, { idempotencyKey: `guardian-request.account.${citizen.id}` });
      }
    },
  });
  // `cyberid keys rotate-kek`: re-wraps every data key under the active key-encryption key.
  const kekRotation = createKekRotation({
    citizenQueries,
    vault,
    keys,
    clients,
    authenticationLog,
    operatorTotpSecrets: operatorTotpRewrapSource(createOperatorQueries(db.knex), envelope),
    noticeAddresses: contactRewrapSource(notifications.contactQueries, envelope),
    envelope,
    configuredKekIds: [...config.secrets.keyEncryptionKeys.keys.keys()],
    audit,
  });
  // Lawful access (docs/lawful-access.md), by operators in the console. Its vault has no audit hook: the service
  // records each decryption itself, naming the subject in details rather than citizen_id, so the
  // citizen's activity does not show the access before the embargo has passed.
  const lawfulAccess = createLawfulAccessService({
    queries: createLawfulAccessQueries(db.knex),
    citizens: citizenQueries,
    audit,
    vault: createIdentityVault({ envelope, blindIndexSecret: config.secrets.blindIndexSecret }),
    sectorOf: createSectorLookup({
      findStoredMetadata: async (clientId) => (await clientQueries.findClientById(clientId))?.metadata,
    }),
    pairwiseSecret: config.secrets.pairwiseSecret,
    findOfficer: createOperatorQueries(db.knex).findOperatorById,
    revealSeconds: config.operators.lawfulAccessRevealSeconds,
    authenticationLog,
  });
  // Operators (src/operators/): their accounts and sessions, and the operations layer the
  // console goes through, each operation authorised by role and audited.
  const operators = createOperatorArea({
    knex: db.knex, envelope, hasher, store: ephemeral, config: config.operators,
    clients, clientOnboarding, revocations, lifecycle, citizenQueries, keys, audit, lawfulAccess,
  });

  // The subject of a lawful access is told once its embargo has passed (run hourly by main.ts).
  const disclosureNotices = createDisclosureNotices({ knex: db.knex, queries: createLawfulAccessQueries(db.knex), notify: notifications.notify });
  return {
    applicationTokens: createApplicationTokens(config.secrets.blindIndexSecret, config.issuer.startsWith('https://')),
    disclosureNotices,
    /** Runs an account change with its audit entry and notice in one transaction. */
    accountEvents,
    contacts,
    config,
    logger,
    metrics,
    db,
    ephemeral,
    durable,
    envelope,
    hasher,
    audit,
    vault,
    citizenQueries,
    citizens,
    identityAuthority,
    sandboxIdentities,
    attesters,
    attestations,
    sandboxAttester,
    assuranceRaise,
    clients,
    /** A write to `clients` outside the client queries must announce itself here (services/client-cache.ts). */
    clientChanges,
    clientOnboarding,
    keys,
    render,
    providerHolder,
    logoutDeliveries,
    accountSessions,
    revocations,
    connections,
    lifecycle,
    recovery,
    guardianship,
    applications,
    kekRotation,
    clientName,
    accountNotices,
    knownDevices,
    activity,
    credentials,
    twoFactor,
    passkeys,
    recoveryCodes,
    signIn,
    dataExport,
    lawfulAccess,
    operators,
    authenticationLog,
    logPartitions,
    notifications,
    // Lawful accesses shown to their subject once the embargo has passed (activity, export).
    lawfulDisclosures: (citizenId: string) => lawfulAccess.disclosuresVisibleTo(citizenId),
    keyChanges,
    async close() {
      providerHolder!.stopPolling();
      await Promise.all([notifications.close(), logoutDeliveries.worker.stop(), keyChanges.close()]);
      await Promise.allSettled([db.close(), ephemeral.close(), clientChanges.close()]);
    },
  };
}

export type Container = Awaited<ReturnType<typeof buildContainer>>;
