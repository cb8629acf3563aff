// Real peers for the notification channels, run in the test process: an SMTP server
// (smtp-server) that parses what it accepts (mailparser), and a stub SMS gateway over HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export type DeliveredMail = { to: string; from: string; subject: string; text: string; messageId: string; language: string; raw: string };

export type TestSmtpServer = {
  url: string;
  delivered: DeliveredMail[];
  /** While set, the next message's DATA is read but never answered (a delivery cut short). */
  holdNext(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<DeliveredMail[]>;
  close(): Promise<void>;
};

async function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const delivered: DeliveredMail[] = [];
  let hold: (() => void) | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (hold) {
          const held = hold;
          hold = undefined;
          held();
          return; // never answered: the sender sees no acceptance
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then((mail) => {
          delivered.push({
            to: Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text ?? '',
            from: mail.from?.text ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            messageId: mail.messageId ?? '',
            language: String(mail.headers.get('content-language') ?? ''),
            raw,
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    holdNext: () => new Promise<void>((resolve) => { hold = resolve; }),
    waitFor: (count, timeoutMs = 10_000) => until(() => (delivered.length >= count ? delivered : undefined), timeoutMs, `${count} mail(s)`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type GatewayRequest = { headers: http.IncomingHttpHeaders; body: { to: string; text: string; locale: string; idempotency_key: string } };

export type TestSmsGateway = {
  url: string;
  received: GatewayRequest[];
  /** Answers the next `count` requests with this status instead of 202. */
  failNext(count: number, status?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<GatewayRequest[]>;
  close(): Promise<void>;
};

export async function startSmsGateway(): Promise<TestSmsGateway> {
  const received: GatewayRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(failStatus).end();
        return;
      }
      received.push({ headers: req.headers, body: JSON.parse(body) as GatewayRequest['body'] });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/messages`,
    received,
    failNext(count, status = 503) { failures = count; failStatus = status; },
    waitFor: (count, timeoutMs = 10_000) => until(() => (received.length >= count ? received : undefined), timeoutMs, `${count} SMS request(s)`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
