// The embedded PostgreSQL (PGlite) admits one process. While the server runs on it, the server
// listens on a Unix socket in DATA_DIR (owner-only permissions) and runs CLI commands for the
// CLI process, which would otherwise have to open the same database files.
import net from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Container } from '../container.js';
import type { CommandResult } from './command.js';
import { runCommand } from './registry.js';
import { localInvoker, type Invoker } from './invoker.js';

export const bridgePath = (dataDir: string) => path.join(dataDir, 'cli.sock');

export function serveCliBridge(container: Container): { close(): Promise<void> } {
  const socketPath = bridgePath(container.config.dataDir);
  rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      input += chunk;
      if (!input.endsWith('\n')) return;
      let argv: string[];
      let invoker: Invoker | undefined;
      try {
        ({ argv, invoker } = JSON.parse(input) as { argv: string[]; invoker?: Invoker });
        if (!Array.isArray(argv)) throw new TypeError('argv');
      } catch {
        socket.end(`${JSON.stringify({ output: 'malformed request\n', exitCode: 2 })}\n`);
        return;
      }
      runCommand(container, argv, invoker ?? {})
        .catch((error: unknown) => {
          container.logger.error({ err: error }, 'cli command failed');
          return { output: 'error: command failed; see the server log\n', exitCode: 1 };
        })
        .then((result) => socket.end(`${JSON.stringify(result)}\n`));
    });
  });
  // Owner-only from the moment it exists: bind() creates the socket file synchronously under
  // this umask (a chmod in the listen callback would leave it open to every local user until then).
  const previousUmask = process.umask(0o177);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(previousUmask);
  }
  return {
    close: () => new Promise((resolve) => server.close(() => {
      rmSync(socketPath, { force: true });
      resolve();
    })),
  };
}

/** Sends argv to a running server's bridge; undefined when no server listens. */
export function sendToRunningServer(dataDir: string, argv: string[]): Promise<CommandResult | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(bridgePath(dataDir));
    let output = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ argv, invoker: localInvoker() })}\n`));
    socket.on('data', (chunk) => (output += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(output) as CommandResult);
      } catch (error) {
        reject(error);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else reject(error);
    });
  });
}
