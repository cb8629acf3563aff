// Configuration: the only module that reads the environment.
// - parses every variable once with a schema, collecting *all* problems (each with a hint);
// - reads each secret from VAR or from the file named by VAR_FILE;
// - in development, fills missing secrets from DATA_DIR (generated on first start);
// - in production, refuses embedded stores and generated secrets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import defaults from '../../config/defaults.json' with { type: 'json' };
import { loadOrCreateDevelopmentSecrets, type Secrets } from './development-secrets.js';
import { parseKeyring, type Keyring } from './keyring.js';

export type Config = {
  env: 'development' | 'test' | 'production';
  port: number;
  issuer: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); set, it replaces REDIS_URL. */
  redisClusterNodes: string[] | undefined;
  dataDir: string;
  logLevel: string;
  trustProxy: boolean;
  /** After SIGTERM, seconds /readyz says 503 while requests are still served (load balancers notice). */
  drainSeconds: number;
  /** Slow or greedy clients (server.ts): header and whole-request deadlines, open connections per peer address (0: unbounded). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnectionsPerAddress: number };
  /**
   * Who may read /metrics (web/metrics-access.ts): with `address`, only a listener of its own
   * serves it; with `token`, a bearer token is required; `onPublicPort` is false in production
   * when neither is configured, so the public port never serves it.
   */
  /** How long the authentication log keeps an entry (services/authentication-log.ts). */
  authenticationLog: { retentionDays: number };
  metrics: {
    token: string | undefined;
    address: { host: string; port: number } | undefined;
    onPublicPort: boolean;
  };
  secrets: {
    cookieKeys: string[];
    pairwiseSecret: Buffer;
    blindIndexSecret: Buffer;
    keyEncryptionKeys: Keyring;
  };
  secretsGenerated: boolean;
  ttl: typeof defaults.ttl;
  passwordHashing: typeof defaults.passwordHashing;
  rateLimit: typeof defaults.rateLimit;
  /** Sign-in back-off per account and per address (src/sign-in/limits.ts). */
  signInLimits: typeof defaults.signInLimits;
  signing: typeof defaults.signing;
  /** Operators (src/operators/): session lifetimes, enrolment, sign-in limits, the lawful-access reveal window. */
  operators: typeof defaults.operators;
  /** Identity proofing (docs/assurance.md): challenge lifetime, the low-evidence recovery wait. */
  proofing: typeof defaults.proofing;
  /** Where identity claims are verified: `url` unset means the sandbox (never in production). */
  identityAuthority: {
    url: string | undefined;
    token: string | undefined;
    timeoutMs: number;
  } & Omit<typeof defaults.identityAuthority, 'timeoutMs'>;
  /** Email and SMS delivery (docs/assurance.md "Notices"); unset URLs switch a channel off. */
  notifications: {
    smtpUrl: string | undefined;
    smtpFrom: string;
    smsGatewayUrl: string | undefined;
    smsGatewayToken: string | undefined;
  } & typeof defaults.notifications;
  /** Back-channel logout outbox (services/logout-deliveries.ts): polling, back-off, attempts. */
  logoutDeliveries: typeof defaults.logoutDeliveries;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_NAMES = ['COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS'] as const;
type SecretName = (typeof SECRET_NAMES)[number];

const PORT_HINT = 'PORT must be a whole number from 1 to 65535';
const REDIS_CLUSTER_HINT = 'REDIS_CLUSTER_NODES must be comma-separated node URLs, e.g. redis://10.0.0.1:6379,redis://10.0.0.2:6379 (a few nodes suffice: the client learns the rest)';
const isRedisNodeUrl = (value: string) => URL.canParse(value) && ['redis:', 'rediss:'].includes(new URL(value).protocol) && new URL(value).hostname !== '';
// HOST:PORT, [IPv6]:PORT or PORT alone (then 127.0.0.1: reachable from this machine only).
const METRICS_ADDRESS = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?([0-9]{1,5})$/;
const METRICS_ADDRESS_HINT = 'METRICS_ADDRESS must be HOST:PORT (or a port alone, on 127.0.0.1), e.g. 10.0.0.5:9464';
const MIN_METRICS_TOKEN = 32;
const MIN_AUTH_LOG_RETENTION_DAYS = 183;
const AUTH_LOG_RETENTION_HINT = `AUTH_LOG_RETENTION_DAYS must be a whole number of days, ${MIN_AUTH_LOG_RETENTION_DAYS} (six months, the Cybersecurity Law's minimum for network logs) to 3650`;

function metricsAddress(value: string | undefined, publicPort: number, problems: string[]): Config['metrics']['address'] {
  if (value === undefined) return undefined;
  const [, host = '127.0.0.1', port] = METRICS_ADDRESS.exec(value) ?? [];
  const number = Number(port);
  if (!(number >= 1 && number <= 65535)) {
    problems.push(METRICS_ADDRESS_HINT);
    return undefined;
  }
  if (number === publicPort) problems.push('METRICS_ADDRESS must use another port than PORT; hint: metrics get a listener of their own so the public port never serves them');
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port: number };
}

const urlLike = (protocols: string[], hint: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, hint);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], {
    error: 'NODE_ENV must be one of development, test, production',
  }).default('development'),
  // Digits only: z.coerce would turn "" into 0 (a random port) and accept "1e3" or " 80".
  PORT: z.string().regex(/^[0-9]{1,5}$/, PORT_HINT).transform(Number).refine((n) => n >= 1 && n <= 65535, PORT_HINT)
    .default(defaults.port),
  ISSUER: urlLike(['http:', 'https:'], 'ISSUER must be an absolute http(s) URL, e.g. https://id.example.cn')
    .refine((v) => !v.endsWith('/'), 'ISSUER must not end with "/"')
    .optional(),
  DATABASE_URL: urlLike(['postgres:', 'postgresql:'], 'DATABASE_URL must look like postgres://user@host:5432/db').optional(),
  REDIS_URL: urlLike(['redis:', 'rediss:'], 'REDIS_URL must look like redis://127.0.0.1:6379').optional(),
  REDIS_CLUSTER_NODES: z.string()
    .transform((value) => value.split(',').map((node) => node.trim()).filter(Boolean))
    .superRefine((nodes, check) => {
      if (nodes.length === 0 || !nodes.every(isRedisNodeUrl)) check.addIssue({ code: 'custom', message: REDIS_CLUSTER_HINT });
      else if (new Set(nodes.map((node) => new URL(node).protocol)).size > 1) check.addIssue({ code: 'custom', message: 'REDIS_CLUSTER_NODES must all be redis:// or all rediss://; hint: a cluster\'s nodes share one TLS setting' });
    })
    .optional(),
  DATA_DIR: z.string().min(1).default(defaults.dataDir),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  }).default(defaults.logLevel as 'info'),
  TRUST_PROXY: z.enum(['true', 'false'], { error: 'TRUST_PROXY must be true or false' }).default('false'),
  DRAIN_SECONDS: z.string().regex(/^[0-9]{1,3}$/, 'DRAIN_SECONDS must be a whole number of seconds, 0 to 600')
    .transform(Number).refine((n) => n <= 600, 'DRAIN_SECONDS must be a whole number of seconds, 0 to 600')
    .default(0),
  HTTP_HEADERS_TIMEOUT_MS: z.string().regex(/^[0-9]{1,6}$/, 'HTTP_HEADERS_TIMEOUT_MS must be a whole number of milliseconds, 500 to 600000')
    .transform(Number).refine((n) => n >= 500 && n <= 600_000, 'HTTP_HEADERS_TIMEOUT_MS must be a whole number of milliseconds, 500 to 600000')
    .default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.string().regex(/^[0-9]{1,7}$/, 'HTTP_REQUEST_TIMEOUT_MS must be a whole number of milliseconds, 500 to 3600000')
    .transform(Number).refine((n) => n >= 500 && n <= 3_600_000, 'HTTP_REQUEST_TIMEOUT_MS must be a whole number of milliseconds, 500 to 3600000')
    .default(30_000),
  MAX_CONNECTIONS_PER_ADDRESS: z.string().regex(/^[0-9]{1,6}$/, 'MAX_CONNECTIONS_PER_ADDRESS must be a whole number, 0 (unbounded) to 100000')
    .transform(Number).refine((n) => n <= 100_000, 'MAX_CONNECTIONS_PER_ADDRESS must be a whole number, 0 (unbounded) to 100000')
    .default(64),
  // Cybersecurity Law Art. 21(3): network logs kept no less than six months.
  AUTH_LOG_RETENTION_DAYS: z.string().regex(/^[0-9]{1,5}$/, AUTH_LOG_RETENTION_HINT)
    .transform(Number).refine((n) => n >= MIN_AUTH_LOG_RETENTION_DAYS && n <= 3650, AUTH_LOG_RETENTION_HINT)
    .default(MIN_AUTH_LOG_RETENTION_DAYS),
  METRICS_ADDRESS: z.string().regex(METRICS_ADDRESS, METRICS_ADDRESS_HINT).optional(),
  IDENTITY_AUTHORITY_URL: urlLike(['http:', 'https:'], 'IDENTITY_AUTHORITY_URL must be an absolute http(s) URL, e.g. https://authority.example.cn/v1/verify').optional(),
  IDENTITY_AUTHORITY_TIMEOUT_MS: z.string().regex(/^[0-9]{1,6}$/, 'IDENTITY_AUTHORITY_TIMEOUT_MS must be a whole number of milliseconds, 100 to 60000')
    .transform(Number).refine((n) => n >= 100 && n <= 60000, 'IDENTITY_AUTHORITY_TIMEOUT_MS must be a whole number of milliseconds, 100 to 60000')
    .default(defaults.identityAuthority.timeoutMs),
  PASSWORD_HASH_QUEUE: z.string().regex(/^[0-9]{1,5}$/, 'PASSWORD_HASH_QUEUE must be a whole number of waiting sign-ins, 0 to 10000')
    .transform(Number).refine((n) => n <= 10000, 'PASSWORD_HASH_QUEUE must be a whole number of waiting sign-ins, 0 to 10000')
    .default(defaults.passwordHashing.maxQueued),
  SMTP_URL: urlLike(['smtp:', 'smtps:'], 'SMTP_URL must look like smtps://user:password@mail.example.cn:465 (or smtp:// with STARTTLS)').optional(),
  SMTP_FROM: z.string().regex(/^[^\r\n]{3,200}$/, 'SMTP_FROM must be one line, e.g. "Cyberspace ID <no-reply@id.example.cn>"').optional(),
  SMS_GATEWAY_URL: urlLike(['http:', 'https:'], 'SMS_GATEWAY_URL must be an absolute http(s) URL, e.g. https://sms.example.cn/v1/messages').optional(),
  NOTIFY_RETRY_BASE_SECONDS: z.string().regex(/^[0-9]{1,5}$/, 'NOTIFY_RETRY_BASE_SECONDS must be a whole number of seconds, 1 to 86400')
    .transform(Number).refine((n) => n >= 1 && n <= 86400, 'NOTIFY_RETRY_BASE_SECONDS must be a whole number of seconds, 1 to 86400')
    .default(defaults.notifications.retryBaseSeconds),
  NOTIFY_LEASE_SECONDS: z.string().regex(/^[0-9]{1,5}$/, 'NOTIFY_LEASE_SECONDS must be a whole number of seconds, 1 to 86400')
    .transform(Number).refine((n) => n >= 1 && n <= 86400, 'NOTIFY_LEASE_SECONDS must be a whole number of seconds, 1 to 86400')
    .default(defaults.notifications.leaseSeconds),
});

function readSecret(env: NodeJS.ProcessEnv, name: SecretName | 'IDENTITY_AUTHORITY_TOKEN' | 'SMS_GATEWAY_TOKEN' | 'METRICS_TOKEN', problems: string[]): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct && file) {
    problems.push(`${name} and ${name}_FILE are both set; hint: set only one`);
    return undefined;
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      problems.push(`${name}_FILE: cannot read ${file}; hint: check the path and permissions`);
      return undefined;
    }
  }
  return direct?.trim() || undefined;
}

function decodeSecret(name: string, value: string, problems: string[]): Buffer | undefined {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < 32) {
    problems.push(`${name} must be at least 32 random bytes, base64url-encoded; hint: openssl rand -base64 32`);
    return undefined;
  }
  return bytes;
}

/** Checks and decodes whichever secrets are present (explicit ones before anything is generated). */
function decodeSecrets(values: Partial<Record<SecretName, string>>, problems: string[]): Partial<Config['secrets']> {
  const decoded: Partial<Config['secrets']> = {};
  if (values.COOKIE_SECRETS !== undefined) {
    const keys = values.COOKIE_SECRETS.split(',').map((s) => s.trim()).filter(Boolean);
    if (keys.length === 0 || keys.some((k) => k.length < 32)) problems.push('COOKIE_SECRETS: each comma-separated key must be at least 32 characters');
    else decoded.cookieKeys = keys;
  }
  if (values.PAIRWISE_SECRET !== undefined) decoded.pairwiseSecret = decodeSecret('PAIRWISE_SECRET', values.PAIRWISE_SECRET, problems);
  if (values.BLIND_INDEX_SECRET !== undefined) decoded.blindIndexSecret = decodeSecret('BLIND_INDEX_SECRET', values.BLIND_INDEX_SECRET, problems);
  if (values.KEY_ENCRYPTION_KEYS !== undefined) decoded.keyEncryptionKeys = parseKeyring('KEY_ENCRYPTION_KEYS', values.KEY_ENCRYPTION_KEYS, problems);
  // One key per purpose (DESIGN.md): the same bytes under two names would let one purpose's key
  // stand in for another's (e.g. a leaked cookie key recomputing pairwise IDs).
  const uses: Array<[string, Buffer]> = [];
  if (decoded.pairwiseSecret) uses.push(['PAIRWISE_SECRET', decoded.pairwiseSecret]);
  if (decoded.blindIndexSecret) uses.push(['BLIND_INDEX_SECRET', decoded.blindIndexSecret]);
  for (const [id, key] of decoded.keyEncryptionKeys?.keys ?? []) uses.push([`KEY_ENCRYPTION_KEYS (key "${id}")`, key]);
  for (const cookieKey of decoded.cookieKeys ?? []) {
    uses.push(['COOKIE_SECRETS', Buffer.from(cookieKey, 'utf8')], ['COOKIE_SECRETS', Buffer.from(cookieKey, 'base64url')]);
  }
  const reported = new Set<string>();
  for (const [i, [first, a]] of uses.entries()) {
    for (const [second, b] of uses.slice(i + 1)) {
      const pair = `${first} and ${second}`;
      if (first === second || reported.has(pair) || a.length === 0 || !a.equals(b)) continue;
      reported.add(pair);
      problems.push(`${pair} must differ; hint: every purpose has its own key`);
    }
  }
  return decoded;
}

const isHttpsUrl = (value: string) => URL.canParse(value) && new URL(value).protocol === 'https:';

/** Parses the environment into a Config, or throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (env.REDIS_URL && env.REDIS_CLUSTER_NODES) problems.push('REDIS_URL and REDIS_CLUSTER_NODES are both set; hint: set REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_URL for one server');
  const raw: Partial<Record<SecretName, string>> = {};
  for (const name of SECRET_NAMES) raw[name] = readSecret(env, name, problems);
  const authorityToken = readSecret(env, 'IDENTITY_AUTHORITY_TOKEN', problems);
  const smsGatewayToken = readSecret(env, 'SMS_GATEWAY_TOKEN', problems);
  const metricsToken = readSecret(env, 'METRICS_TOKEN', problems);
  if (metricsToken !== undefined && metricsToken.length < MIN_METRICS_TOKEN) {
    problems.push(`METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters; hint: openssl rand -base64 32`);
  }
  decodeSecrets(raw, problems);

  // Production rules are checked even when other variables are invalid, so one run lists
  // everything to fix (the schema already reported malformed values; these report absent ones).
  if (env.NODE_ENV === 'production') {
    if (!env.DATABASE_URL) problems.push('DATABASE_URL is required in production; hint: the embedded PGlite store is for development only');
    if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES) problems.push('REDIS_URL (or REDIS_CLUSTER_NODES) is required in production; hint: the in-memory ephemeral store is for development only');
    if (!env.ISSUER || (URL.canParse(env.ISSUER) && !isHttpsUrl(env.ISSUER))) problems.push('ISSUER must be an https:// URL in production, e.g. https://id.example.cn');
    for (const name of SECRET_NAMES) {
      if (!raw[name] && !problems.some((p) => p.startsWith(`${name} and ${name}_FILE`) || p.startsWith(`${name}_FILE:`))) {
        problems.push(`${name} (or ${name}_FILE) is required in production; hint: generated development secrets are refused`);
      }
    }
  }
  const values = parsed.success ? parsed.data : undefined;
  if (env.NODE_ENV === 'production') {
    const url = env.IDENTITY_AUTHORITY_URL;
    if (!url) problems.push('IDENTITY_AUTHORITY_URL is required in production; hint: the sandbox identity authority holds synthetic identities for development only (docs/identity-authority.md)');
    else if (URL.canParse(url) && new URL(url).protocol !== 'https:') problems.push('IDENTITY_AUTHORITY_URL must be an https:// URL in production; hint: identity claims must not travel in clear text');
    if (!authorityToken && !problems.some((p) => p.startsWith('IDENTITY_AUTHORITY_TOKEN'))) {
      problems.push('IDENTITY_AUTHORITY_TOKEN (or IDENTITY_AUTHORITY_TOKEN_FILE) is required in production; hint: the bearer token the identity authority issued to this service');
    }
  }
  if (env.NODE_ENV === 'production') {
    if (env.SMTP_URL && URL.canParse(env.SMTP_URL) && new URL(env.SMTP_URL).protocol !== 'smtps:' && !/[?&]requireTLS=true/.test(env.SMTP_URL)) {
      problems.push('SMTP_URL must be smtps:// (or smtp:// with ?requireTLS=true) in production; hint: notices must not travel in clear text');
    }
    if (env.SMS_GATEWAY_URL && URL.canParse(env.SMS_GATEWAY_URL) && new URL(env.SMS_GATEWAY_URL).protocol !== 'https:') {
      problems.push('SMS_GATEWAY_URL must be an https:// URL in production; hint: phone numbers must not travel in clear text');
    }
  }
  const metricsAt = metricsAddress(values?.METRICS_ADDRESS, values?.PORT ?? defaults.port, problems);
  if (problems.length > 0 || !values) throw new ConfigError(problems);

  const dataDir = path.resolve(values.DATA_DIR);
  const missing = SECRET_NAMES.filter((name) => !raw[name]);
  let generated: Partial<Secrets> = {};
  if (missing.length > 0) {
    try {
      const loaded: unknown = loadOrCreateDevelopmentSecrets(dataDir);
      if (loaded && typeof loaded === 'object') generated = loaded as Partial<Secrets>;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError([`DATA_DIR: cannot read or create ${path.join(dataDir, 'development-secrets.json')} (${reason}); hint: check the directory's permissions, or delete a damaged file to generate new development secrets`]);
    }
    for (const name of missing) {
      if (typeof generated[name] !== 'string') problems.push(`${name} is missing from ${path.join(dataDir, 'development-secrets.json')}; hint: set ${name}, or delete the file to generate new development secrets`);
    }
  }
  const secrets = decodeSecrets(Object.fromEntries(SECRET_NAMES.map((name) => [name, raw[name] ?? generated[name]])), problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: values.NODE_ENV,
    port: values.PORT,
    issuer: values.ISSUER ?? `http://localhost:${values.PORT}`,
    databaseUrl: values.DATABASE_URL,
    redisUrl: values.REDIS_URL,
    redisClusterNodes: values.REDIS_CLUSTER_NODES,
    dataDir,
    logLevel: values.LOG_LEVEL,
    trustProxy: values.TRUST_PROXY === 'true',
    drainSeconds: values.DRAIN_SECONDS,
    http: {
      headersTimeoutMs: values.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS,
      maxConnectionsPerAddress: values.MAX_CONNECTIONS_PER_ADDRESS,
    },
    authenticationLog: { retentionDays: values.AUTH_LOG_RETENTION_DAYS },
    metrics: {
      token: metricsToken,
      address: metricsAt,
      // Outside production an open /metrics keeps development simple (README "Operations").
      onPublicPort: !metricsAt && (metricsToken !== undefined || values.NODE_ENV !== 'production'),
    },
    secrets: secrets as Config['secrets'],
    secretsGenerated: missing.length > 0,
    ttl: defaults.ttl,
    passwordHashing: { ...defaults.passwordHashing, maxQueued: values.PASSWORD_HASH_QUEUE },
    rateLimit: defaults.rateLimit,
    signInLimits: structuredClone(defaults.signInLimits),
    signing: defaults.signing,
    operators: { ...defaults.operators },
    proofing: defaults.proofing,
    identityAuthority: {
      ...defaults.identityAuthority,
      url: values.IDENTITY_AUTHORITY_URL,
      token: authorityToken,
      timeoutMs: values.IDENTITY_AUTHORITY_TIMEOUT_MS,
    },
    logoutDeliveries: { ...defaults.logoutDeliveries },
    notifications: {
      ...defaults.notifications,
      retryBaseSeconds: values.NOTIFY_RETRY_BASE_SECONDS,
      leaseSeconds: values.NOTIFY_LEASE_SECONDS,
      smtpUrl: values.SMTP_URL,
      smtpFrom: values.SMTP_FROM ?? `Cyberspace ID <no-reply@${new URL(values.ISSUER ?? 'http://localhost').hostname}>`,
      smsGatewayUrl: values.SMS_GATEWAY_URL,
      smsGatewayToken,
    },
  };
}

/** For the server and the CLI: the config, or undefined after printing every problem to stderr. */
export function loadConfigOrReport(env: NodeJS.ProcessEnv = process.env): Config | undefined {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}
