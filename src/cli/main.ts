// The operator CLI, `cyberid`. Same configuration as the server. On the embedded store it
// hands the command to a running server (cli/bridge.ts) or, if none runs, opens the store.
import { loadConfigOrReport } from '../config/config.js';
import { buildContainer } from '../container.js';
import { migrateToLatest, pendingMigrations } from '../db/migrate.js';
import { migrationReport } from './commands/operations.js';
import { openDatabase } from '../db/database.js';
import { sendToRunningServer } from './bridge.js';
import { dataDirNote, refuseEmbeddedOpen } from './embedded-store.js';
import { findCommand, runCommand, usage } from './registry.js';
import { createAuditService } from '../services/audit.js';
import { createAuditLogQueries } from '../queries/audit-log.js';
import { withAuditContext } from '../services/audit-context.js';
import { invokerContext, localInvoker } from './invoker.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || !findCommand(argv)) {
    process.stdout.write(usage());
    return argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
  }
  const config = loadConfigOrReport();
  if (!config) return 1;
  if (!config.databaseUrl) {
    const forwarded = await sendToRunningServer(config.dataDir, argv);
    if (forwarded) {
      process.stderr.write(dataDirNote(config.dataDir, true));
      (forwarded.exitCode ? process.stderr : process.stdout).write(forwarded.output);
      return forwarded.exitCode ?? 0;
    }
    const refusal = refuseEmbeddedOpen(config.dataDir, argv[0]);
    if (refusal) {
      process.stderr.write(refusal);
      return 1;
    }
    process.stderr.write(dataDirNote(config.dataDir, false));
  }
  if (argv[0] === 'migrate' && !argv.includes('--help')) {
    // Before building the container, which needs the schema: otherwise it would migrate
    // silently and the command would then report "up to date" for what it just applied.
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrateToLatest(db.knex);
      // On record with the shell user and host: changing the schema is acting on the database directly.
      await withAuditContext(invokerContext(localInvoker()), () =>
        createAuditService({ queries: createAuditLogQueries(db.knex) }).record({ type: 'database.migrated', actor: 'operator', details: { count: applied.length } }));
      process.stdout.write(migrationReport(applied));
      return 0;
    } finally {
      await db.close();
    }
  }
  if (config.databaseUrl) {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const pending = await pendingMigrations(db.knex).finally(() => db.close());
    if (pending.length > 0) {
      process.stderr.write(`the database has ${pending.length} pending migration(s); run: cyberid migrate\n`);
      return 1;
    }
  }
  const container = await buildContainer(config, { migrate: !config.databaseUrl, logLevel: 'warn', logDestination: process.stderr as never });
  try {
    const result = await runCommand(container, argv);
    (result.exitCode ? process.stderr : process.stdout).write(result.output);
    return result.exitCode ?? 0;
  } finally {
    await container.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
