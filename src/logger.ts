// Structured logs (pino). Personal data never reaches a log line by construction: we log ids
// (request id, client id, citizen uuid), never form input; the redaction list is a second net
// for fields that must never appear even by mistake.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACTED_FIELDS = [
  'password', '*.password', 'name', 'identity.name', 'form.name', 'document_number', '*.document_number', 'documentNumber',
  '*.documentNumber', 'birth_date', '*.birth_date', 'birthDate', '*.birthDate', 'client_secret',
  '*.client_secret', 'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' }, base: { service: 'cyberspace-id' } }, destination);
}
