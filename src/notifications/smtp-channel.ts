// Email over SMTP (nodemailer). The outbox's idempotency key becomes the Message-ID, so a retry
// after a lost acknowledgement is recognisably the same message to the mail system.
import nodemailer from 'nodemailer';
import type { NotificationChannel } from './port.js';

export type SmtpOptions = { url: string; from: string; messageIdDomain: string; timeoutMs: number };

export function createSmtpChannel(options: SmtpOptions): NotificationChannel & { close(): void } {
  const transport = nodemailer.createTransport(options.url, {
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  } as never);
  return {
    name: 'email',
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: `<${message.idempotencyKey}@${options.messageIdDomain}>`,
        headers: { 'Content-Language': message.locale },
      });
    },
    close: () => transport.close(),
  };
}
