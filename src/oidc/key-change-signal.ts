// Tells every instance at once that the signing key set changed (issue 9): a rotation publishes
// on a Redis channel and each server reloads on the message, so a new key is in every JWKS
// within moments instead of at the next poll. Polling (KEY_POLL_SECONDS) stays as the fallback
// for a message lost while Redis was down, which is why --activate-after still waits two polls.
import type { Redis } from 'ioredis';
import { bounded, COMMAND_TIMEOUT_MS, subscriberFor, type RedisConnection } from '../storage/redis-connection.js';
import type { Logger } from '../logger.js';

export type KeyChangeSignal = {
  /** Says the key set changed; never fails the caller (polling catches up). */
  announce(): Promise<void>;
  /** Calls `reload` on every announcement from any instance (a subscriber connection of its own). */
  listen(reload: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
};

/** Without Redis there is one instance: nothing to tell. */
export const singleInstanceKeySignal: KeyChangeSignal = {
  announce: async () => {},
  listen: async () => {},
  close: async () => {},
};

export function createRedisKeyChangeSignal(redis: RedisConnection, prefix: string, logger: Logger): KeyChangeSignal {
  const channel = `${prefix}signing-keys:changed`;
  let subscriber: Redis | undefined;
  return {
    async announce() {
      await bounded(redis, () => redis.publish(channel, String(Date.now()))).catch((error: unknown) => {
        logger.warn({ err: { message: (error as Error).message } }, 'signing key change not announced; instances pick it up at their next poll');
      });
    },
    async listen(reload) {
      // A subscribed connection can run no other command, hence its own; ioredis resubscribes
      // by itself after a reconnection.
      subscriber ??= subscriberFor(redis);
      subscriber.on('message', (from) => {
        if (from !== channel) return;
        reload().catch((error: unknown) => logger.error({ err: { message: (error as Error).message } }, 'signing key reload on announcement failed'));
      });
      // Redis down at start must not stop the server: polling covers until the next start.
      const subscribed = subscriber.subscribe(channel).then(() => true, () => false);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS, false).unref());
      if (!(await Promise.race([subscribed, timedOut]))) logger.warn('not subscribed to signing key changes yet; relying on polling');
    },
    async close() {
      if (subscriber) subscriber.disconnect();
    },
  };
}
