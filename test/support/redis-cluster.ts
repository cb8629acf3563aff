// A real three-master Redis Cluster a test starts itself from Debian's redis-server and
// redis-cli (`--cluster create`), on free ports in a temporary directory, no persistence; never
// the shared Redis on 6379. It takes about two seconds, most of it redis-cli waiting for the
// nodes to agree: tests share one per run (ownRedisCluster), a fault test starts its own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './test-app.js';

export type OwnRedisCluster = {
  /** `redis://host:port` of each master. */
  nodes: string[];
  /** What points a test app at this cluster (startTestApp's `env`). */
  env: Record<string, string>;
  /** Signals every node's process (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** Kills every node, or the one at `index` (their data is gone; the cluster's shape is not). */
  kill(index?: number): Promise<void>;
  /** Starts the killed nodes again on their ports; resolves once the cluster is ok. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

const MASTERS = 3;

export function redisClusterAvailable(): { ok: true } | { ok: false; reason: string } {
  const server = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (server.status !== 0) return { ok: false, reason: 'redis-server is not installed' };
  const help = spawnSync('redis-cli', ['--cluster', 'help'], { encoding: 'utf8' });
  if (!/create\s+host1/.test(`${help.stdout}${help.stderr}`)) return { ok: false, reason: 'redis-cli has no --cluster create' };
  return { ok: true };
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const cli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });

export async function startRedisCluster(): Promise<OwnRedisCluster> {
  const available = redisClusterAvailable();
  if (!available.ok) throw new Error(`cannot start a Redis Cluster: ${available.reason}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberid-redis-cluster-'));
  const ports: number[] = [];
  const busPorts: number[] = [];
  // The cluster bus defaults to port + 10000, which a free port above 55535 cannot have.
  for (let i = 0; i < MASTERS; i += 1) {
    ports.push(await freePort());
    busPorts.push(await freePort());
  }
  const children: Array<ChildProcess | undefined> = [];
  const pids = new Set<number>();
  // A test run that dies mid-way leaves no server behind.
  process.once('exit', () => {
    pids.forEach((pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
    rmSync(dir, { recursive: true, force: true });
  });
  const alive = (child: ChildProcess | undefined): child is ChildProcess => !!child && child.exitCode === null && child.signalCode === null;
  /** Starts every node that is not running. */
  const spawnNodes = async () => {
    for (const [i, port] of ports.entries()) {
      if (alive(children[i])) continue;
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir, { recursive: true });
      // nodes.conf in the node's directory survives a kill: a restarted node rejoins with its slots.
      const child = spawn('redis-server', [
        '--port', String(port), '--cluster-port', String(busPorts[i]), '--bind', '127.0.0.1', '--dir', nodeDir,
        // Without replicas, one master lost would stop every slot; a test may lose one.
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000', '--cluster-require-full-coverage', 'no',
        '--save', '', '--appendonly', 'no',
      ], { stdio: 'ignore' });
      children[i] = child;
      pids.add(child.pid!);
    }
    for (const port of ports) {
      for (let i = 0; !(await accepting(port)); i += 1) {
        if (i > 100) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const clusterOk = async () => {
    // Every node must see every slot served before a client may rely on it.
    for (let i = 0; !ports.every((port) => /cluster_state:ok/.test(cli(port, 'cluster', 'info').stdout)); i += 1) {
      if (i > 200) throw new Error('the Redis Cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const nodes = ports.map((port) => `redis://127.0.0.1:${port}`);
  const cluster: OwnRedisCluster = {
    nodes,
    env: { REDIS_URL: '', REDIS_CLUSTER_NODES: nodes.join(',') },
    signal(signal) {
      for (const child of children.filter(alive)) child.kill(signal);
    },
    async kill(index) {
      const targets = (index === undefined ? children : [children[index]]).filter(alive);
      const exits = targets.map((child) => new Promise((resolve) => child.once('exit', resolve)));
      for (const child of targets) child.kill('SIGKILL');
      for (const child of targets) child.kill('SIGCONT');
      await Promise.all(exits);
    },
    async restart() {
      await spawnNodes();
      await clusterOk();
    },
    async stop() {
      await cluster.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await spawnNodes();
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await clusterOk();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

let shared: Promise<OwnRedisCluster> | undefined;

/** The run's cluster, started on first use; stopped when the mocha process exits. */
export function ownRedisCluster(): Promise<OwnRedisCluster> {
  shared ??= startRedisCluster();
  return shared;
}
