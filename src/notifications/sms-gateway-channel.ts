// SMS through an HTTP gateway: one JSON POST per message, `{ to, text, locale, idempotency_key }`,
// with the key also in an Idempotency-Key header so the gateway can drop a repeated send; any
// answer but 2xx is a failure the outbox retries.
import type { NotificationChannel } from './port.js';

export type SmsGatewayOptions = { url: string; token: string | undefined; timeoutMs: number; fetch?: typeof globalThis.fetch };

export function createSmsGatewayChannel(options: SmsGatewayOptions): NotificationChannel {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return {
    name: 'sms',
    async send(message) {
      const response = await fetchImpl(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.idempotencyKey,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ to: message.to, text: `${message.subject}: ${message.text}`, locale: message.locale, idempotency_key: message.idempotencyKey }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`sms gateway answered ${response.status}`);
    },
  };
}
