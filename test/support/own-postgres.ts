// A PostgreSQL server a fault-injection test starts, stops (SIGSTOP), kills and restarts itself:
// initdb into a temporary directory and `postgres` on another port, run as the `postgres` user
// when this process is root (initdb refuses root). Never the shared server on 5432.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './test-app.js';

const BIN = '/usr/lib/postgresql/15/bin';

export type OwnPostgres = {
  url: string;
  port: number;
  /** Signals every process of the server: the postmaster and each backend. */
  signal(signal: NodeJS.Signals): void;
  kill(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
};

function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root and there is no postgres user to run initdb as');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function postgresAvailable(): boolean {
  return existsSync(path.join(BIN, 'initdb')) && existsSync(path.join(BIN, 'postgres'));
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const user = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberid-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...user, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    signal(signal) {
      if (!child?.pid || child.exitCode !== null) return;
      // Backends call setsid(), so a process group does not reach them: signal the postmaster
      // first (it forks no more), then each of its children.
      process.kill(child.pid, signal);
      for (const pid of childrenOf(child.pid)) {
        try { process.kill(pid, signal); } catch { /* already gone */ }
      }
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      own.signal('SIGKILL');
      own.signal('SIGCONT');
      await exited;
      // Backends die with the group; wait until the port is free for a restart.
      for (let i = 0; i < 100 && (await accepting(port)); i += 1) await new Promise((r) => setTimeout(r, 50));
    },
    async start() {
      // fsync off is safe for a killed process (its writes are in the OS cache); synchronous_commit
      // must stay on: with it off a kill -9 loses the last acknowledged commits, and a test ISP
      // came back "approved, not active" after the restart.
      child = spawn(path.join(BIN, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'full_page_writes=off'], { ...user, stdio: 'ignore' });
      const pid = child.pid!;
      // A test run that dies mid-way leaves no server behind.
      process.once('exit', () => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
      for (let i = 0; i < 200; i += 1) {
        if (child.exitCode !== null) throw new Error('postgres exited at start');
        if (await accepting(port)) {
          // Accepting TCP is not yet accepting queries (crash recovery after a kill): ask pg_isready.
          const ready = spawnSync(path.join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
          if (ready.status === 0) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('postgres did not start');
    },
    async remove() {
      await own.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
