// Recognises a store outage (Redis down or hung, PostgreSQL unreachable, a statement or lock
// timeout, the pool out of connections) so it answers 503 with Retry-After — a fault the client
// can wait out — instead of a 500 that reads like our bug.
const PG_FAULT_CODES = new Set([
  '57014', // statement_timeout
  '55P03', // lock_timeout (lock_not_available)
  '25P03', // idle_in_transaction_session_timeout
  '57P01', '57P02', '57P03', // admin shutdown, crash shutdown, cannot connect now
  '53300', // too many connections
  '08000', '08003', '08006', '08001', '08004', // connection exceptions
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
// The cluster client's own (ioredis cluster/index.js) and the cluster's replies while it heals.
const REDIS_MESSAGES = /^(Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request limit|Cluster isn't ready|Too many Cluster redirections|CLUSTERDOWN|TRYAGAIN)/;

/** Seconds a client is asked to wait after a store fault. */
export const STORE_RETRY_AFTER_SECONDS = 5;

export function isStoreFault(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'KnexTimeoutError' || e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
  if (e.code && (PG_FAULT_CODES.has(e.code) || NET_CODES.has(e.code))) return true;
  return typeof e.message === 'string' && REDIS_MESSAGES.test(e.message);
}
