// Opens the durable store: PostgreSQL through `pg` when a URL is given, otherwise the
// embedded PostgreSQL (PGlite) under DATA_DIR — same SQL, same migrations (DESIGN.md contract).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

export type DatabaseOptions = {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Schema to work in (tests give each run its own); created if missing. */
  schema?: string;
  poolMax?: number;
};

export type Database = {
  knex: Knex;
  embedded: boolean;
  close(): Promise<void>;
};

const STATEMENT_TIMEOUT_MS = 5_000;
const LOCK_TIMEOUT_MS = 1_000;
const IDLE_IN_TRANSACTION_MS = 10_000;
const ACQUIRE_TIMEOUT_MS = 2_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// knex-pglite names a query's command after the knex method, and knex's `.delete()` is method
// `del`: knex's PostgreSQL dialect then fails to recognise a DELETE and returns the raw response
// instead of the number of rows deleted (passkey removal, prune counts). Named as pg would.
class EmbeddedClient extends (ClientPgLite as unknown as new (config: Knex.Config) => { processResponse(obj: { method?: string }, runner: unknown): unknown }) {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.schema && !SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  const searchPath = options.schema ? [options.schema, 'public'] : undefined;
  let knex: Knex;
  if (options.databaseUrl) {
    knex = knexFactory({
      client: 'pg',
      // Fail fast (issue 9): a lock held on a table, a runaway statement or a transaction left
      // open cannot hold a connection for long, and a request waiting for a free connection
      // gives up (503) instead of queueing behind them until the whole pool is stuck.
      connection: {
        connectionString: options.databaseUrl,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        lock_timeout: LOCK_TIMEOUT_MS,
        idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
        connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      } as Knex.PgConnectionConfig,
      searchPath,
      acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
      pool: { min: 0, max: options.poolMax ?? 10, acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS },
    });
  } else {
    const directory = path.join(options.dataDir, 'pgdata');
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    knex = knexFactory({
      client: EmbeddedClient as unknown as typeof Knex.Client,
      dialect: 'postgres',
      connection: { filename: directory } as Knex.StaticConnectionConfig,
      searchPath,
      useNullAsDefault: false,
    } as Knex.Config);
  }
  if (options.schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [options.schema]);
  return {
    knex,
    embedded: !options.databaseUrl,
    close: () => knex.destroy(),
  };
}
