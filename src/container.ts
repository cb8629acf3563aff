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
import { createCitizenQueries } from './queries/citizens.js';
import { createClientQueries } from './queries/clients.js';
import { createSigningKeyQueries } from './queries/signing-keys.js';
import { createPasswordHasher } from './services/password-hasher.js';
import { createIdentityVault } from './services/identity-vault.js';
import { createCitizenService } from './services/citizens.js';
import { createClientService } from './services/clients.js';
import { createSigningKeyService } from './services/signing-keys.js';
import { createAdapterFactory, createGrantRevoker } from './oidc/adapter.js';
import { createProviderPages } from './oidc/pages.js';
import { createProvider } from './oidc/provider.js';
import { createProviderHolder } from './oidc/provider-holder.js';
import { createViewRenderer } from './web/views.js';

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
  const ephemeral: EphemeralStore = config.redisUrl
    ? createRedisStore({ url: config.redisUrl, prefix: options.redisPrefix })
    : createMemoryStore();

  const envelope = createEnvelope(config.secrets.keyEncryptionKeys);
  const durable = createOidcPayloadQueries(db.knex);
  const hasher = createPasswordHasher(config.passwordHashing);
  const vault = createIdentityVault({ envelope, blindIndexSecret: config.secrets.blindIndexSecret });
  const citizenQueries = createCitizenQueries(db.knex);

  const citizens = createCitizenService({
    queries: citizenQueries,
    hasher,
    vault,
    counters: ephemeral,
    production: config.env === 'production',
    rateLimit: config.rateLimit,
  });
  const keys = createSigningKeyService({
    queries: createSigningKeyQueries(db.knex),
    envelope,
    retiredKeyGraceSeconds: config.signing.retiredKeyGraceSeconds,
  });
  // Clients are validated by oidc-provider itself, so the holder must exist first.
  let providerHolder: ReturnType<typeof createProviderHolder> | undefined;
  const clients = createClientService({
    queries: createClientQueries(db.knex),
    envelope,
    validateMetadata: async (metadata) => providerHolder!.current().Client.validate(metadata),
  });

  const render = createViewRenderer();
  const adapter = createAdapterFactory({ durable, ephemeral, clients, revokeGrant: createGrantRevoker(durable, ephemeral) });
  const pages = createProviderPages(render);
  providerHolder = createProviderHolder({
    keys,
    logger,
    build: (jwks) => createProvider({ config, adapter, citizens, pages, jwks, logger, fetch: options.fetch }),
  });
  await keys.ensureSigningKeys();
  await providerHolder.refresh();

  return {
    config,
    logger,
    metrics,
    db,
    ephemeral,
    durable,
    envelope,
    hasher,
    vault,
    citizenQueries,
    citizens,
    clients,
    keys,
    render,
    providerHolder,
    async close() {
      providerHolder!.stopPolling();
      await Promise.allSettled([db.close(), ephemeral.close()]);
    },
  };
}

export type Container = Awaited<ReturnType<typeof buildContainer>>;
