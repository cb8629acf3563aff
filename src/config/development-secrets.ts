// Development secrets: generated once under DATA_DIR so `npm start` needs no configuration
// and restarts keep cookies, pairwise IDs and encrypted data readable. Never used in production
// (config.ts refuses to start there without explicit secrets).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Secrets = {
  COOKIE_SECRETS: string;
  PAIRWISE_SECRET: string;
  BLIND_INDEX_SECRET: string;
  KEY_ENCRYPTION_KEYS: string;
};

const FILE_NAME = 'development-secrets.json';

function generate(): Secrets {
  const random = () => randomBytes(32).toString('base64url');
  return {
    COOKIE_SECRETS: random(),
    PAIRWISE_SECRET: random(),
    BLIND_INDEX_SECRET: random(),
    KEY_ENCRYPTION_KEYS: `dev1:${random()}`,
  };
}

export function loadOrCreateDevelopmentSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, FILE_NAME);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = generate();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // 'wx' fails if another process created the file meanwhile; then we read theirs.
  try {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  }
}
