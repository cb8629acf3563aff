// Wires the notifications area: the outbox (notify + worker), the channels the configuration
// switches on (email when SMTP_URL is set, SMS when SMS_GATEWAY_URL is), and the confirmed
// contacts the worker delivers to. The composition root calls this once.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Envelope } from '../crypto/envelope.js';
import { createOutboxQueries, type OutboxRow } from '../queries/notification-outbox.js';
import { createContactQueries } from '../queries/citizen-contacts.js';
import { createNotifier } from './notifier.js';
import { createOutboxWorker, type ConfirmedContact } from './outbox-worker.js';
import { createContactSealing } from './contact-sealing.js';
import { createSmtpChannel } from './smtp-channel.js';
import { createSmsGatewayChannel } from './sms-gateway-channel.js';
import type { NotificationChannel } from './port.js';

type Options = {
  knex: Knex;
  envelope: Envelope;
  config: Pick<Config, 'issuer' | 'notifications' | 'secrets'>;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  onDelivered?: (channel: string, kind: string) => void;
};

export function createNotifications({ knex, envelope, config, logger, fetch, onDelivered }: Options) {
  const settings = config.notifications;
  const outbox = createOutboxQueries(knex);
  const contactQueries = createContactQueries(knex);
  const sealing = createContactSealing(envelope, config.secrets.blindIndexSecret);
  const smtp = settings.smtpUrl
    ? createSmtpChannel({ url: settings.smtpUrl, from: settings.smtpFrom, messageIdDomain: new URL(config.issuer).hostname, timeoutMs: settings.timeoutMs })
    : undefined;
  const channels: NotificationChannel[] = [
    ...(smtp ? [smtp] : []),
    ...(settings.smsGatewayUrl ? [createSmsGatewayChannel({ url: settings.smsGatewayUrl, token: settings.smsGatewayToken, timeoutMs: settings.timeoutMs, fetch })] : []),
  ];
  const confirmedContacts = async (citizenId: string): Promise<ConfirmedContact[]> =>
    (await contactQueries.listContactsOf(citizenId)).filter((row) => row.confirmed_at)
      .map((row) => ({ channel: row.channel, locale: row.locale, address: sealing.open(citizenId, row.channel, row.address_sealed) }));
  // A copy sealed under a key-encryption key since retired cannot be opened: that one message is lost, said without the address.
  const removedAddress = (entry: OutboxRow): ConfirmedContact | undefined => {
    if (!entry.removed_address_sealed) return undefined;
    try {
      return sealing.openRemoved(entry.citizen_id, entry.idempotency_key, entry.removed_address_sealed);
    } catch {
      logger.warn({ outbox_id: entry.id }, 'removed address copy could not be opened');
      return undefined;
    }
  };
  const worker = createOutboxWorker({
    queries: outbox,
    channels,
    confirmedContacts,
    removedAddress,
    logger,
    onDelivered,
    // A cancelled citizen's addresses are kept only until the cancellation notice has gone out.
    afterEntry: async (entry) => {
      if (entry.kind === 'account_cancelled') await contactQueries.deleteContactsOf(entry.citizen_id);
    },
    retry: { baseSeconds: settings.retryBaseSeconds, maxSeconds: settings.retryMaxSeconds, maxAttempts: settings.maxAttempts, leaseSeconds: settings.leaseSeconds },
  });
  return {
    ...createNotifier(outbox),
    outbox,
    contactQueries,
    sealing,
    channels,
    worker,
    async close() {
      await worker.stop();
      smtp?.close();
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
