// Which embedded database the CLI would use, and whether it may open it. The embedded store
// (PGlite) creates an empty database wherever DATA_DIR points; run from another directory or
// without the server's DATA_DIR, the CLI would otherwise work silently on a second, empty one.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

const hasDatabase = (dataDir: string) => existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'));

/** Other places where an embedded database of this installation may live (the default ./data). */
function databasesElsewhere(dataDir: string, cwd: string): string[] {
  const candidates = [path.resolve(cwd, 'data'), path.join(PROJECT_ROOT, 'data')];
  return [...new Set(candidates)].filter((candidate) => candidate !== dataDir && hasDatabase(candidate));
}

/**
 * Undefined when the CLI may open the embedded database in dataDir itself (no server answered
 * on its socket); otherwise why not. Only `migrate` creates a new one, on purpose.
 */
export function refuseEmbeddedOpen(dataDir: string, command: string | undefined, cwd = process.cwd()): string | undefined {
  if (hasDatabase(dataDir) || command === 'migrate') return undefined;
  const elsewhere = databasesElsewhere(dataDir, cwd);
  const lines = [`error: no embedded database in DATA_DIR=${dataDir}, and no server answers on ${path.join(dataDir, 'cli.sock')}.`];
  if (elsewhere.length > 0) lines.push(...elsewhere.map((dir) => `An embedded database exists in ${dir}; to use it, run with DATA_DIR=${dir}.`));
  lines.push('The CLI does not create a second, empty database. Run it with the server\'s DATA_DIR (or DATABASE_URL), start the server first (npm start), or create a new database on purpose with: cyberid migrate');
  return `${lines.join('\n')}\n`;
}

export const dataDirNote = (dataDir: string, throughServer: boolean) =>
  `cyberid: embedded database in DATA_DIR=${dataDir} (${throughServer ? 'through the running server' : 'opened directly; no server is running on it'})\n`;
