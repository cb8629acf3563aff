// cyberid migrate | keys rotate|list | prune | partitions | citizen add-test | registration-token create
import { json, UsageError, type Command } from '../command.js';
import { migrateToLatest } from '../../db/migrate.js';
import { activationDelayProblem } from '../../oidc/key-reload.js';

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`--${name} must be a whole number of seconds`);
  return parsed;
}

export const migrationReport = (applied: string[]) =>
  applied.length ? `applied: ${applied.join(', ')}\n` : 'database schema is up to date\n';

export const operationCommands: Command[] = [
  {
    name: 'migrate',
    summary: 'apply pending database migrations',
    usage: 'migrate',
    options: {},
    async run(container) {
      const applied = await migrateToLatest(container.db.knex);
      await container.audit.record({ type: 'database.migrated', actor: 'operator', details: { count: applied.length } });
      return { output: migrationReport(applied) };
    },
  },
  {
    name: 'keys rotate',
    summary: 'add a new signing key per algorithm (RS256, ES256, PS256, EdDSA); they sign after --activate-after seconds (default 60), old keys keep verifying until their tokens expire',
    usage: 'keys rotate [--activate-after SECONDS] [--json]',
    options: { 'activate-after': { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const activateAfter = seconds(values['activate-after'], 'activate-after', 60);
      const tooSoon = activationDelayProblem(activateAfter, '--activate-after');
      if (tooSoon) throw new UsageError(tooSoon);
      const rotated = await container.keys.rotateSigningKeys(activateAfter);
      const pruned = await container.keys.pruneExpiredKeys();
      await container.audit.record({ type: 'keys.rotated', actor: 'operator', details: { kids: rotated.kids, count: pruned.length } });
      const result = { new_kids: rotated.kids, activates_at: rotated.activatesAt.toISOString(), pruned_kids: pruned };
      return { output: values.json ? json(result) : `new keys ${rotated.kids.join(', ')} sign from ${result.activates_at}\n` };
    },
  },
  {
    name: 'prune',
    summary: 'delete what has expired from PostgreSQL: grants and registration tokens past their lifetime, signing keys whose tokens have all expired (reads already ignore them; this reclaims the space), the authentication log\'s months whose every entry is past AUTH_LOG_RETENTION_DAYS (dropped whole; the server also does this hourly), and back-channel logout deliveries given up more than 30 days ago; creates the log months ahead first, as `partitions` does',
    usage: 'prune [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const created = await container.logPartitions.createAhead();
      const log = await container.authenticationLog.prune();
      const result = {
        expired_grants_and_tokens: await container.durable.deleteExpired(),
        signing_keys: (await container.keys.pruneExpiredKeys()).length,
        authentication_log_partitions_dropped: log.partitions,
        authentication_log_entries: log.entries,
        authentication_log_keys: log.keys,
        failed_logout_deliveries: await container.logoutDeliveries.pruneFailed(),
        log_partitions_created: created,
      };
      const months = log.partitions.length ? `${log.partitions.length} authentication log month(s) (${log.partitions.join(', ')}), ` : '';
      return { output: values.json ? json(result) : `deleted ${result.expired_grants_and_tokens} expired grant(s) and token(s), ${result.signing_keys} signing key(s), ${months}${log.entries} authentication log entr${log.entries === 1 ? 'y' : 'ies'} from before ${log.before}, ${result.failed_logout_deliveries} failed logout deliver${result.failed_logout_deliveries === 1 ? 'y' : 'ies'}\n` };
    },
  },
  {
    name: 'partitions',
    summary: 'create the audit and authentication logs\' monthly partitions that are missing, this month through three ahead (the server also does this at start and hourly), and list every partition',
    usage: 'partitions [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const created = await container.logPartitions.createAhead();
      const { partitions, defaultRows } = await container.logPartitions.describe();
      if (values.json) return { output: json({ created, partitions, default_rows: defaultRows }) };
      const month = (at: Date | null) => (at ? at.toISOString().slice(0, 7) : 'default');
      const lines = partitions.map((p) => `${p.partition}  ${month(p.from)}  ~${p.estimatedRows} rows\n`);
      const warnings = Object.entries(defaultRows).filter(([, n]) => n > 0)
        .map(([table, n]) => `warning: ${table}_default holds ${n} entr${n === 1 ? 'y' : 'ies'}: a month was missing when they were written (docs/operations.md "Partitions")\n`);
      return { output: `${created.length ? `created ${created.join(', ')}\n` : ''}${lines.join('')}${warnings.join('')}` };
    },
  },
  {
    name: 'keys list',
    summary: 'list signing keys and their state (signing, pending, verifying)',
    usage: 'keys list [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const keys = await container.keys.describeKeys();
      return { output: values.json ? json(keys) : keys.map((k) => `${k.kid}  ${k.alg}  ${k.state}  ${k.activates_at}\n`).join('') };
    },
  },
  {
    name: 'citizen add-test',
    summary: 'create a verified test citizen (sandbox and development only; refused in production)',
    usage: 'citizen add-test [--birth-date YYYY-MM-DD] --json',
    options: { 'birth-date': { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const birthDate = typeof values['birth-date'] === 'string' ? values['birth-date'] : undefined;
      const created = await container.citizens.createTestCitizen({ birthDate });
      const result = { cyberspace_id: created.cyberspace_id, password: created.password };
      return { output: values.json ? json(result) : `cyberspace_id: ${result.cyberspace_id}\npassword: ${result.password}\n` };
    },
  },
  {
    name: 'registration-token create',
    summary: 'create an initial access token for dynamic client registration (RFC 7591)',
    usage: 'registration-token create [--expires-in SECONDS] [--json]',
    options: { 'expires-in': { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const { InitialAccessToken } = container.providerHolder.current();
      const expiresIn = seconds(values['expires-in'], 'expires-in', 7 * 86400);
      const token = await new InitialAccessToken({ expiresIn }).save();
      const result = { initial_access_token: token, expires_in: expiresIn };
      return { output: values.json ? json(result) : `initial_access_token: ${token}\n` };
    },
  },
];
