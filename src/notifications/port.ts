// The notification port: each channel adapter (email over SMTP, SMS through an HTTP gateway)
// sends one rendered message to one address. The on-site notices are the third channel and live
// in the database beside the event (services/account-notices.ts).
import type { Locale } from '../web/i18n.js';

export type ChannelName = 'email' | 'sms';

export type OutgoingMessage = {
  /** Stable across retries of the same notice on the same channel (Message-ID, Idempotency-Key). */
  idempotencyKey: string;
  to: string;
  locale: Locale;
  subject: string;
  text: string;
};

export type NotificationChannel = {
  name: ChannelName;
  send(message: OutgoingMessage): Promise<void>;
};
