// Back-channel logout deliveries through a durable outbox (DESIGN.md "Notifications": the same
// outbox pattern as the citizen's notices, src/notifications/outbox-worker.ts). A logout is
// queued and tried at once — so an ISP that is up learns of it before the citizen's logout page
// returns, as before — and, when that fails, again by the worker after a back-off, until
// `maxAttempts`, when it is marked failed. Every failed attempt is logged with the ISP's client
// id and the reason (never the token). The operator lists what is pending or failed
// (`cyberid logout-deliveries list`).
import type Provider from 'oidc-provider';
import type { Logger } from '../logger.js';
import type { LogoutDeliveryRow, LogoutDeliveryStatus, LogoutOutboxQueries } from '../queries/logout-outbox.js';
import type { DeliverableClient, LogoutDeliveryRequest } from '../oidc/backchannel-sid.js';
import { createPollingLoop, nextAttemptIn, type RetryPolicy } from '../outbox/polling-loop.js';

type Dependencies = {
  queries: LogoutOutboxQueries;
  provider: () => Provider;
  logger: Pick<Logger, 'warn' | 'error'>;
  retry: RetryPolicy;
  /** How long a failed delivery stays listed for the operator (then `cyberid prune` deletes it). */
  failedRetentionDays: number;
  batchSize?: number;
  /** Each attempt's outcome, for the metrics. */
  observe?: (outcome: 'delivered' | 'will_retry' | 'given_up') => void;
};

/** The reason of a failed POST: the HTTP status, or the network error's code (e.g. ECONNREFUSED). */
function reasonOf(error: unknown): string {
  const { message, cause } = error as Error & { cause?: { code?: string; message?: string } };
  return String(cause?.code ?? cause?.message ?? message).slice(0, 200);
}

export function createLogoutDeliveries({ queries, provider, logger, retry, failedRetentionDays, batchSize = 20, observe }: Dependencies) {
  async function attempt(row: LogoutDeliveryRow): Promise<void> {
    const client = (await provider().Client.find(row.client_id)) as unknown as DeliverableClient | undefined;
    // An ISP removed, or no longer registered for back-channel logout, will never accept it.
    let reason = !client ? 'client no longer registered' : !client.backchannelLogoutUri ? 'client has no backchannel_logout_uri any more' : undefined;
    const retryable = reason === undefined;
    if (client?.backchannelLogoutUri) {
      try {
        await client.deliverBackchannelLogout(row.account_id, row.sid ?? '');
        observe?.('delivered');
        return queries.deleteDelivered(row.id);
      } catch (error) {
        reason = reasonOf(error);
      }
    }
    const retryIn = retryable ? nextAttemptIn(row.attempts, retry) : undefined;
    const entry = { clientId: row.client_id, delivery: row.id, attempt: row.attempts, reason };
    observe?.(retryIn === undefined ? 'given_up' : 'will_retry');
    if (retryIn === undefined) logger.error(entry, 'back-channel logout delivery failed; given up');
    else logger.warn({ ...entry, retryInSeconds: retryIn }, 'back-channel logout delivery failed; will retry');
    await queries.markAttemptFailed(row.id, reason ?? 'unknown', retryIn);
  }

  /** One worker round: the due retries; the number handled. */
  async function runOnce(): Promise<number> {
    const due = await queries.claimDue(batchSize, retry.leaseSeconds);
    for (const row of due) await attempt(row);
    return due.length;
  }

  return {
    /** oidc-provider's backchannelLogout (backchannel-sid.ts): queued, then tried once at once. */
    async enqueue(request: LogoutDeliveryRequest): Promise<void> {
      const row = await queries.insertClaimed({ client_id: request.clientId, account_id: request.accountId, sid: request.sid }, retry.leaseSeconds);
      await attempt(row);
    },
    worker: { runOnce, ...createPollingLoop(runOnce, logger, 'logout outbox') },
    /** Deletes failed deliveries older than the retention: they hold a citizen's account id. */
    pruneFailed(at: Date = new Date()): Promise<number> {
      return queries.deleteFailedBefore(new Date(at.getTime() - failedRetentionDays * 86_400_000));
    },
    /** Pending and failed deliveries for the operator: no account, no session id. */
    async list(filter: { status?: LogoutDeliveryStatus; clientId?: string } = {}) {
      return (await queries.listUndelivered(filter)).map((row) => ({
        id: row.id,
        client_id: row.client_id,
        status: row.status,
        attempts: row.attempts,
        last_error: row.last_error,
        created_at: row.created_at.toISOString(),
        next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
        finished_at: row.finished_at?.toISOString() ?? null,
      }));
    },
  };
}

export type LogoutDeliveries = ReturnType<typeof createLogoutDeliveries>;
