// The delivery loop every durable outbox shares (notifications, back-channel logouts): a round
// claims what is due and delivers it; rounds run at once again while there is work, else every
// `intervalMs`. A failed attempt waits base × 2^(attempt−1) seconds, capped, before the next.
import type { Logger } from 'pino';

export const backoffSeconds = (attempt: number, base: number, max: number) => Math.min(max, base * 2 ** Math.max(0, attempt - 1));

export type RetryPolicy = { baseSeconds: number; maxSeconds: number; maxAttempts: number; leaseSeconds: number };

/** After a failed attempt: the seconds until the next one, or undefined to give up. */
export const nextAttemptIn = (attempt: number, retry: RetryPolicy): number | undefined =>
  (attempt >= retry.maxAttempts ? undefined : backoffSeconds(attempt, retry.baseSeconds, retry.maxSeconds));

export function createPollingLoop(runOnce: () => Promise<number>, logger: Pick<Logger, 'error'>, name: string) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  let pollMs = 1000;

  function schedule(ms: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().catch((error: unknown) => {
        logger.error({ err: { message: (error as Error).message } }, `${name} round failed`);
        return 0;
      });
      void running.then((handled) => schedule(handled > 0 ? 0 : pollMs));
    }, ms);
  }

  return {
    /** Polls every `intervalMs` (at once again while there is work). */
    start(intervalMs: number) {
      if (!stopped) return;
      stopped = false;
      pollMs = intervalMs;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
