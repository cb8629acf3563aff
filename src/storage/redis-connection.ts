// The Redis connection behind the ephemeral store and the pub/sub buses: one server
// (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, any few of its nodes; the client learns
// the rest and follows slot moves). Both fail fast (issue 9): a command that gets no answer
// within COMMAND_TIMEOUT_MS fails, so a killed or hung (SIGSTOPped) Redis costs a request about
// a second and a 503, never a wait; reconnection goes on in the background and service resumes
// by itself.
import { Cluster, Redis } from 'ioredis';

export type RedisConnection = Redis | Cluster;
export type RedisTarget = { url: string } | { clusterNodes: string[] };

export const COMMAND_TIMEOUT_MS = 1000;

const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1000);

export function connectRedis(target: RedisTarget): RedisConnection {
  const connection = 'url' in target ? connectServer(target.url) : connectCluster(target.clusterNodes);
  // Without a listener ioredis prints every reconnection failure; the requests report them.
  connection.on('error', () => {});
  return connection;
}

function connectServer(url: string): Redis {
  // The offline queue stays: the command timeout bounds a queued command too.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelay,
  });
}

type Node = { host: string; port: number };

/** Each cluster client's seed nodes, where a subscriber starts (subscriberFor). */
const seeds = new WeakMap<Cluster, Node[]>();

function connectCluster(urls: string[]): Cluster {
  const parsed = urls.map((url) => new URL(url));
  const nodes: Node[] = parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) }));
  // A cluster's nodes share their credentials; the first URL that names them speaks for all.
  const withCredentials = parsed.find((url) => url.username || url.password);
  const cluster = new Cluster(nodes, {
    // The cluster's own queue (commands waiting for the slot map) has no deadline, unlike a
    // node's: it is off, and `bounded` waits a bounded time for readiness instead.
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: COMMAND_TIMEOUT_MS,
    redisOptions: {
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      ...(withCredentials ? { username: decodeURIComponent(withCredentials.username) || undefined, password: decodeURIComponent(withCredentials.password) } : {}),
      ...(parsed[0]?.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
  seeds.set(cluster, nodes);
  return cluster;
}

/**
 * Runs `work` (store commands) within COMMAND_TIMEOUT_MS, or fails it with the command timeout's
 * own error (a store fault: 503). A server's command timeout does that alone; a cluster
 * client also refuses commands until it has the slot map (so this waits for it first) and
 * retries a command whose node connection closed on another node, each try with a timeout of
 * its own: several seconds on a hung cluster without this bound (test/system/redis-cluster-faults.test.ts).
 */
export function bounded<T>(connection: RedisConnection, work: () => Promise<T>): Promise<T> {
  if (!(connection instanceof Cluster)) return work();
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { expired = true; reject(new Error('Command timed out (cluster deadline)')); }, COMMAND_TIMEOUT_MS);
  });
  const run = async () => {
    if (connection.status !== 'ready') await onceReady(connection, deadline);
    if (expired) throw new Error('Command timed out (cluster deadline)');
    return work();
  };
  return Promise.race([run(), deadline]).finally(() => clearTimeout(timer));
}

function onceReady(connection: Cluster, deadline: Promise<never>): Promise<void> {
  let listener: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => connection.once('ready', (listener = resolve)));
  return Promise.race([ready, deadline.catch(() => {})]).finally(() => connection.off('ready', listener!));
}

/**
 * A connection of its own for SUBSCRIBE (a subscribed connection runs nothing else), which
 * queues until connected: subscribing is never on a request's path. A plain connection even
 * for a cluster: PUBLISH on any node reaches subscribers on every node, and a plain connection
 * says when it drops ('close'), which the ISP cache needs to know (ioredis's cluster client
 * moves its subscriber to another node silently, and a message sent meanwhile is lost unseen).
 * While its node is unreachable it tries the cluster's next node.
 */
export function subscriberFor(connection: RedisConnection): Redis {
  const subscriber = connection instanceof Cluster ? clusterSubscriber(connection) : connection.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false, lazyConnect: false });
  subscriber.on('error', () => {});
  return subscriber;
}

function clusterSubscriber(cluster: Cluster): Redis {
  const candidates = () => {
    const known = cluster.nodes().map((node) => ({ host: node.options.host!, port: node.options.port! }));
    return known.length > 0 ? known : seeds.get(cluster)!;
  };
  let at = 0;
  const { username, password, tls } = cluster.options.redisOptions ?? {};
  const subscriber: Redis = new Redis({
    ...candidates()[0],
    username, password, tls,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    enableAutoPipelining: false,
    retryStrategy: (attempt) => {
      // The connector reads host and port from these options at each connection attempt.
      const nodes = candidates();
      at = (at + 1) % nodes.length;
      Object.assign(subscriber.options, nodes[at]);
      return reconnectDelay(attempt);
    },
  });
  return subscriber;
}

/** quit() waits for an answer a dead Redis never gives. */
export async function closeRedis(connection: RedisConnection): Promise<void> {
  await Promise.race([connection.quit(), new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS))]).catch(() => {});
  connection.disconnect();
}
