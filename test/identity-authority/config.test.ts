// Identity authority configuration: the sandbox outside production only; in production an
// https:// authority URL and its bearer token (also from a file); a bounded timeout.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/config.js';

const secret = () => randomBytes(32).toString('base64url');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return assert.fail('configuration accepted');
}

describe('identity authority configuration', () => {
  let dataDir: string;
  let production: Record<string, string>;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-config-'));
    production = {
      NODE_ENV: 'production', DATA_DIR: dataDir, ISSUER: 'https://id.example.cn',
      DATABASE_URL: 'postgres://app@db.internal:5432/cyberid', REDIS_URL: 'redis://cache.internal:6379',
      COOKIE_SECRETS: secret(), PAIRWISE_SECRET: secret(), BLIND_INDEX_SECRET: secret(), KEY_ENCRYPTION_KEYS: `k1:${secret()}`,
      IDENTITY_AUTHORITY_URL: 'https://authority.internal/v1/verify', IDENTITY_AUTHORITY_TOKEN: 'issued-token',
    };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses the sandbox outside production when no URL is set, with the default timeout', () => {
    const { identityAuthority } = loadConfig({ DATA_DIR: dataDir });
    assert.equal(identityAuthority.url, undefined);
    assert.equal(identityAuthority.timeoutMs, 3000);
    assert.ok(identityAuthority.retries >= 1 && identityAuthority.breaker.failureThreshold >= 1);
  });

  it('refuses the sandbox in production, saying why', () => {
    delete production.IDENTITY_AUTHORITY_URL;
    const problems = problemsOf(production);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^IDENTITY_AUTHORITY_URL is required in production; hint: the sandbox .* development only/);
  });

  it('refuses a plain-http authority and a missing token in production', () => {
    production.IDENTITY_AUTHORITY_URL = 'http://authority.internal/v1/verify';
    delete production.IDENTITY_AUTHORITY_TOKEN;
    const problems = problemsOf(production);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((p) => /^IDENTITY_AUTHORITY_URL must be an https:\/\/ URL in production/.test(p)));
    assert.ok(problems.some((p) => /^IDENTITY_AUTHORITY_TOKEN \(or IDENTITY_AUTHORITY_TOKEN_FILE\) is required in production/.test(p)));
  });

  it('reads the token from IDENTITY_AUTHORITY_TOKEN_FILE, and refuses both set', () => {
    const file = path.join(dataDir, 'authority-token');
    writeFileSync(file, 'token-from-file\n');
    delete production.IDENTITY_AUTHORITY_TOKEN;
    const config = loadConfig({ ...production, IDENTITY_AUTHORITY_TOKEN_FILE: file });
    assert.equal(config.identityAuthority.token, 'token-from-file');
    assert.equal(config.identityAuthority.url, 'https://authority.internal/v1/verify');
    const problems = problemsOf({ ...production, IDENTITY_AUTHORITY_TOKEN: 'x', IDENTITY_AUTHORITY_TOKEN_FILE: file });
    assert.deepEqual(problems, ['IDENTITY_AUTHORITY_TOKEN and IDENTITY_AUTHORITY_TOKEN_FILE are both set; hint: set only one']);
  });

  it('accepts a timeout in milliseconds from 100 to 60000, and a URL only if it is one', () => {
    assert.equal(loadConfig({ DATA_DIR: dataDir, IDENTITY_AUTHORITY_TIMEOUT_MS: '1500' }).identityAuthority.timeoutMs, 1500);
    for (const value of ['', '0', '99', '60001', '1e3', '2.5', 'fast']) {
      assert.match(problemsOf({ DATA_DIR: dataDir, IDENTITY_AUTHORITY_TIMEOUT_MS: value }).join('\n'), /IDENTITY_AUTHORITY_TIMEOUT_MS/, value);
    }
    assert.match(problemsOf({ DATA_DIR: dataDir, IDENTITY_AUTHORITY_URL: 'authority.internal' }).join('\n'), /IDENTITY_AUTHORITY_URL must be an absolute http\(s\) URL/);
  });
});
