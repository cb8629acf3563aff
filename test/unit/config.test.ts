// Configuration contract (DESIGN.md "Configuration"): every problem listed at once; production
// refuses embedded stores, plain-http issuers and generated secrets, naming each; secrets come
// from VAR or VAR_FILE (never both); development secrets are generated once under DATA_DIR.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/config.js';

const secret = () => randomBytes(32).toString('base64url');

function productionSecrets() {
  return {
    COOKIE_SECRETS: secret(),
    PAIRWISE_SECRET: secret(),
    BLIND_INDEX_SECRET: secret(),
    KEY_ENCRYPTION_KEYS: `k1:${secret()}`,
  };
}

const productionEnv = (dataDir: string): Record<string, string> => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal:5432/cyberid',
  REDIS_URL: 'redis://cache.internal:6379',
  ISSUER: 'https://id.example.cn',
  DATA_DIR: dataDir,
  IDENTITY_AUTHORITY_URL: 'https://authority.internal/v1/verify',
  IDENTITY_AUTHORITY_TOKEN: secret(),
  ...productionSecrets(),
});

/** The problems loadConfig reports for `env` (fails if it accepts it). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `ConfigError expected, got ${String(error)}`);
    assert.ok(error.problems.length > 0);
    for (const problem of error.problems) assert.ok(error.message.includes(problem), 'the message lists every problem');
    return error.problems;
  }
  assert.fail(`configuration accepted: ${JSON.stringify(env)}`);
}

/** Asserts that each name is the subject of exactly one problem… or at least one. */
function assertNamed(problems: string[], names: string[]) {
  for (const name of names) {
    assert.ok(problems.some((p) => new RegExp(`(^|[^A-Z_])${name}([^A-Z_]|$)`).test(p)), `${name} is named in:\n  ${problems.join('\n  ')}`);
  }
}

describe('configuration', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('lists every problem at once', () => {
    it('names every bad variable in one ConfigError', () => {
      const problems = problemsOf({
        DATA_DIR: dataDir,
        PORT: 'eighty',
        ISSUER: 'ftp://id.example.cn',
        DATABASE_URL: 'mysql://db.internal/cyberid',
        REDIS_URL: 'http://cache.internal',
        LOG_LEVEL: 'loud',
        TRUST_PROXY: 'yes',
        NODE_ENV: 'staging',
        PAIRWISE_SECRET: 'too-short',
        KEY_ENCRYPTION_KEYS: 'no-colon-here',
        COOKIE_SECRETS: 'short',
      });
      assertNamed(problems, ['PORT', 'ISSUER', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL', 'TRUST_PROXY', 'NODE_ENV', 'PAIRWISE_SECRET', 'KEY_ENCRYPTION_KEYS', 'COOKIE_SECRETS']);
      assert.equal(problems.length, 10, problems.join('\n'));
      assert.ok(!existsSync(path.join(dataDir, 'development-secrets.json')), 'nothing generated for an invalid configuration');
    });

    it('lists production requirements together with malformed values', () => {
      const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir, PORT: '99999', PAIRWISE_SECRET: 'short' });
      assertNamed(problems, ['PORT', 'PAIRWISE_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ISSUER', 'COOKIE_SECRETS', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']);
    });

    it('rejects PORT values that are not a whole number from 1 to 65535', () => {
      for (const port of ['', '0', '-1', '3.5', '1e3', '65536', ' 80', '0x50']) {
        assertNamed(problemsOf({ DATA_DIR: dataDir, PORT: port }), ['PORT']);
      }
      assert.equal(loadConfig({ DATA_DIR: dataDir, PORT: '8080' }).port, 8080);
    });

    it('rejects an issuer ending in "/" and two equal secrets', () => {
      const same = secret();
      const problems = problemsOf({ DATA_DIR: dataDir, ISSUER: 'https://id.example.cn/', PAIRWISE_SECRET: same, BLIND_INDEX_SECRET: same });
      assertNamed(problems, ['ISSUER', 'PAIRWISE_SECRET']);
    });
  });

  describe('production', () => {
    it('accepts a complete production configuration and uses exactly the given secrets', () => {
      const env = productionEnv(dataDir);
      const config = loadConfig(env);
      assert.equal(config.env, 'production');
      assert.equal(config.secretsGenerated, false);
      assert.equal(config.issuer, 'https://id.example.cn');
      assert.equal(config.secrets.pairwiseSecret.toString('base64url'), env.PAIRWISE_SECRET);
      assert.equal(config.secrets.keyEncryptionKeys.activeId, 'k1');
      assert.ok(!existsSync(path.join(dataDir, 'development-secrets.json')), 'no development secrets written');
    });

    it('refuses a configuration with nothing set, naming DATABASE_URL, REDIS_URL, ISSUER, the identity authority and every secret', () => {
      const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir });
      assertNamed(problems, ['DATABASE_URL', 'REDIS_URL', 'ISSUER', 'IDENTITY_AUTHORITY_URL', 'IDENTITY_AUTHORITY_TOKEN', 'COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']);
      assert.equal(problems.length, 9, problems.join('\n'));
    });

    for (const name of ['DATABASE_URL', 'REDIS_URL', 'IDENTITY_AUTHORITY_URL', 'IDENTITY_AUTHORITY_TOKEN', 'COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']) {
      it(`refuses a missing ${name}, naming only it`, () => {
        const env = productionEnv(dataDir);
        delete env[name];
        const problems = problemsOf(env);
        assert.equal(problems.length, 1, problems.join('\n'));
        assertNamed(problems, [name]);
      });
    }

    it('accepts a Redis Cluster (REDIS_CLUSTER_NODES) in place of REDIS_URL', () => {
      const { REDIS_URL: _, ...env } = productionEnv(dataDir);
      const config = loadConfig({ ...env, REDIS_CLUSTER_NODES: 'redis://10.0.0.1:6379, redis://10.0.0.2:6379' });
      assert.deepEqual(config.redisClusterNodes, ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379']);
      assert.equal(config.redisUrl, undefined);
    });

    it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, and malformed or mixed-TLS cluster nodes', () => {
      assertNamed(problemsOf({ ...productionEnv(dataDir), REDIS_CLUSTER_NODES: 'redis://10.0.0.1:6379' }), ['REDIS_CLUSTER_NODES']);
      const { REDIS_URL: _, ...env } = productionEnv(dataDir);
      for (const nodes of ['10.0.0.1:6379', 'redis://10.0.0.1:6379,http://10.0.0.2', 'redis://10.0.0.1:6379,rediss://10.0.0.2:6379', ',']) {
        const problems = problemsOf({ ...env, REDIS_CLUSTER_NODES: nodes });
        assert.equal(problems.length, 1, problems.join('\n'));
        assertNamed(problems, ['REDIS_CLUSTER_NODES']);
      }
    });

    for (const issuer of ['http://id.example.cn', undefined]) {
      it(`refuses ${issuer ? 'a plain-http' : 'a missing'} ISSUER`, () => {
        const env = productionEnv(dataDir);
        if (issuer) env.ISSUER = issuer;
        else delete env.ISSUER;
        const problems = problemsOf(env);
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0]!, /ISSUER.*https/);
      });
    }

    it('refuses development secrets lying in DATA_DIR', () => {
      loadConfig({ DATA_DIR: dataDir }); // a development run generated them
      const env = productionEnv(dataDir);
      delete env.PAIRWISE_SECRET;
      assertNamed(problemsOf(env), ['PAIRWISE_SECRET']);
    });
  });

  describe('metrics access (METRICS_TOKEN, METRICS_ADDRESS)', () => {
    const token = 'm'.repeat(40);
    it('in production with neither, /metrics is not served on the public port', () => {
      assert.deepEqual(loadConfig(productionEnv(dataDir)).metrics, { token: undefined, address: undefined, onPublicPort: false });
    });
    it('in production with a token, the public port serves it behind the token', () => {
      assert.deepEqual(loadConfig({ ...productionEnv(dataDir), METRICS_TOKEN: token }).metrics, { token, address: undefined, onPublicPort: true });
    });
    it('with an address, only that listener serves it (a port alone means 127.0.0.1)', () => {
      assert.deepEqual(loadConfig({ ...productionEnv(dataDir), METRICS_ADDRESS: '10.0.0.5:9464' }).metrics, { token: undefined, address: { host: '10.0.0.5', port: 9464 }, onPublicPort: false });
      assert.deepEqual(loadConfig({ ...productionEnv(dataDir), METRICS_ADDRESS: '9464' }).metrics.address, { host: '127.0.0.1', port: 9464 });
      assert.deepEqual(loadConfig({ ...productionEnv(dataDir), METRICS_ADDRESS: '[::1]:9464' }).metrics.address, { host: '::1', port: 9464 });
    });
    it('outside production with neither, it stays open for developers', () => {
      assert.equal(loadConfig({ DATA_DIR: dataDir }).metrics.onPublicPort, true);
    });
    it('refuses a short token, a malformed address and the public port, naming each', () => {
      assertNamed(problemsOf({ ...productionEnv(dataDir), METRICS_TOKEN: 'short' }), ['METRICS_TOKEN']);
      assertNamed(problemsOf({ ...productionEnv(dataDir), METRICS_ADDRESS: 'http://10.0.0.5:9464' }), ['METRICS_ADDRESS']);
      assertNamed(problemsOf({ ...productionEnv(dataDir), METRICS_ADDRESS: '0.0.0.0:99999' }), ['METRICS_ADDRESS']);
      assertNamed(problemsOf({ ...productionEnv(dataDir), PORT: '8080', METRICS_ADDRESS: '8080' }), ['METRICS_ADDRESS']);
    });
  });

  describe('authentication log retention (AUTH_LOG_RETENTION_DAYS)', () => {
    it('keeps 183 days by default, longer when configured, never less than the legal six months', () => {
      assert.equal(loadConfig(productionEnv(dataDir)).authenticationLog.retentionDays, 183);
      assert.equal(loadConfig({ ...productionEnv(dataDir), AUTH_LOG_RETENTION_DAYS: '365' }).authenticationLog.retentionDays, 365);
      for (const days of ['182', '0', '3651', 'six months', '']) {
        assertNamed(problemsOf({ ...productionEnv(dataDir), AUTH_LOG_RETENTION_DAYS: days }), ['AUTH_LOG_RETENTION_DAYS']);
      }
      assertNamed(problemsOf({ DATA_DIR: dataDir, AUTH_LOG_RETENTION_DAYS: '30' }), ['AUTH_LOG_RETENTION_DAYS']);
    });
  });

  describe('secrets from files', () => {
    it('reads every secret from its *_FILE path (trimming the trailing newline)', () => {
      const env = productionEnv(dataDir);
      const fileEnv: Record<string, string> = { ...env };
      for (const name of ['COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']) {
        const file = path.join(dataDir, name.toLowerCase());
        writeFileSync(file, `${env[name]}\n`, { mode: 0o600 });
        delete fileEnv[name];
        fileEnv[`${name}_FILE`] = file;
      }
      const config = loadConfig(fileEnv);
      assert.equal(config.secretsGenerated, false);
      assert.deepEqual(config.secrets.cookieKeys, [env.COOKIE_SECRETS]);
      assert.equal(config.secrets.pairwiseSecret.toString('base64url'), env.PAIRWISE_SECRET);
      assert.equal(config.secrets.blindIndexSecret.toString('base64url'), env.BLIND_INDEX_SECRET);
      assert.equal(config.secrets.keyEncryptionKeys.keys.get('k1')!.toString('base64url'), env.KEY_ENCRYPTION_KEYS!.slice(3));
    });

    it('refuses VAR and VAR_FILE both set, and an unreadable VAR_FILE, naming each', () => {
      const env = productionEnv(dataDir);
      const file = path.join(dataDir, 'pairwise');
      writeFileSync(file, env.PAIRWISE_SECRET!);
      const problems = problemsOf({ ...env, PAIRWISE_SECRET_FILE: file, BLIND_INDEX_SECRET: undefined as never, BLIND_INDEX_SECRET_FILE: path.join(dataDir, 'absent') });
      assert.ok(problems.some((p) => /PAIRWISE_SECRET and PAIRWISE_SECRET_FILE/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /BLIND_INDEX_SECRET_FILE/.test(p)), problems.join('\n'));
      assert.equal(problems.length, 2, problems.join('\n'));
    });

    it('refuses both set in development too', () => {
      const file = path.join(dataDir, 'cookie');
      writeFileSync(file, secret());
      assertNamed(problemsOf({ DATA_DIR: dataDir, COOKIE_SECRETS: secret(), COOKIE_SECRETS_FILE: file }), ['COOKIE_SECRETS']);
    });
  });

  describe('development', () => {
    it('generates secrets under DATA_DIR on first start, owner-only, and reuses them', () => {
      const first = loadConfig({ DATA_DIR: dataDir });
      assert.equal(first.env, 'development');
      assert.equal(first.secretsGenerated, true);
      assert.equal(first.issuer, 'http://localhost:3000');
      const file = path.join(dataDir, 'development-secrets.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const written = readFileSync(file, 'utf8');

      const second = loadConfig({ DATA_DIR: dataDir });
      assert.equal(readFileSync(file, 'utf8'), written, 'not regenerated');
      assert.deepEqual(second.secrets.cookieKeys, first.secrets.cookieKeys);
      assert.ok(second.secrets.pairwiseSecret.equals(first.secrets.pairwiseSecret));
      assert.ok(second.secrets.blindIndexSecret.equals(first.secrets.blindIndexSecret));
      assert.equal(second.secrets.keyEncryptionKeys.activeId, first.secrets.keyEncryptionKeys.activeId);
      assert.ok(!first.secrets.pairwiseSecret.equals(first.secrets.blindIndexSecret), 'one key per purpose');

      const elsewhere = mkdtempSync(path.join(tmpdir(), 'cyberid-config-'));
      try {
        assert.ok(!loadConfig({ DATA_DIR: elsewhere }).secrets.pairwiseSecret.equals(first.secrets.pairwiseSecret), 'another DATA_DIR, other secrets');
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    it('uses a secret given explicitly and generates only the missing ones', () => {
      const pairwise = secret();
      const config = loadConfig({ DATA_DIR: dataDir, PAIRWISE_SECRET: pairwise });
      assert.equal(config.secrets.pairwiseSecret.toString('base64url'), pairwise);
      assert.ok(config.secrets.blindIndexSecret.length >= 32);
      assert.ok(config.secrets.keyEncryptionKeys.activeId);
    });

    it('reports a damaged development secrets file as a configuration problem', () => {
      writeFileSync(path.join(dataDir, 'development-secrets.json'), '{"COOKIE_SECRETS": ');
      assertNamed(problemsOf({ DATA_DIR: dataDir }), ['DATA_DIR']);
      writeFileSync(path.join(dataDir, 'development-secrets.json'), '{}');
      assertNamed(problemsOf({ DATA_DIR: dataDir }), ['COOKIE_SECRETS', 'PAIRWISE_SECRET', 'BLIND_INDEX_SECRET', 'KEY_ENCRYPTION_KEYS']);
    });
  });
});
