// cyberid keys rotate-kek | keys kek-status — key-encryption key rotation (docs/operations.md).
import { json, UsageError, type Command } from '../command.js';
import { KEK_KINDS, type KekRotationReport, type KekStatus } from '../../services/kek-rotation.js';

const LABELS: Record<(typeof KEK_KINDS)[number], string> = {
  citizen_data_keys: 'citizen data keys',
  signing_keys: 'signing keys',
  client_secrets: 'client secrets',
  totp_secrets: 'second-factor secrets',
  authentication_log_keys: 'authentication log keys',
  operator_totp_secrets: 'operators\' authenticator secrets',
  notice_addresses: 'citizens\' notice addresses',
};

function batchSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10000) throw new UsageError('--batch-size must be a whole number from 1 to 10000');
  return parsed;
}

function rotationText(report: KekRotationReport): string {
  const lines = [`re-wrapped under key-encryption key "${report.kek_id}":`];
  for (const kind of KEK_KINDS) {
    const k = report.kinds[kind];
    const extra = [
      k.gone ? `${k.gone} removed meanwhile` : '',
      k.retried ? `${k.retried} retried after a concurrent change` : '',
      k.conflicts ? `${k.conflicts} still changing, skipped` : '',
      k.unreadable ? `${k.unreadable} UNREADABLE (key not configured or damaged)` : '',
    ].filter(Boolean);
    lines.push(`  ${LABELS[kind].padEnd(18)} ${k.rewrapped} re-wrapped, ${k.already_current} already current, ${k.remaining} remaining under old keys${extra.length ? `; ${extra.join(', ')}` : ''}`);
  }
  lines.push(report.complete
    ? 'complete: nothing remains under an old key-encryption key; once every instance runs with the new first key, the old ones can be removed (docs/operations.md)'
    : `incomplete: ${report.remaining} value(s) still under an old key-encryption key; keep the old key configured and run cyberid keys rotate-kek again (see cyberid keys kek-status)`);
  return `${lines.join('\n')}\n`;
}

function statusText(status: KekStatus): string {
  const lines = [`active key-encryption key: "${status.active_kek_id}" (configured: ${status.configured_kek_ids.join(', ')})`];
  for (const kind of KEK_KINDS) {
    const counts = Object.entries(status.kinds[kind]).map(([kek, n]) => `${kek}: ${n}`).join(', ') || 'none';
    lines.push(`  ${LABELS[kind].padEnd(18)} ${counts}`);
  }
  if (status.missing_kek_ids.length) lines.push(`NOT CONFIGURED but still in use: ${status.missing_kek_ids.join(', ')} — those values cannot be read; put the key back`);
  lines.push(status.remaining === 0
    ? 'every value is under the active key-encryption key'
    : `${status.remaining} value(s) under another key-encryption key: run cyberid keys rotate-kek`);
  return `${lines.join('\n')}\n`;
}

export const kekCommands: Command[] = [
  {
    name: 'keys rotate-kek',
    summary: 're-wrap every data key (citizens, signing keys, client secrets) under the first key of KEY_ENCRYPTION_KEYS; safe while the service runs, repeatable',
    usage: 'keys rotate-kek [--batch-size N] [--json]',
    options: { 'batch-size': { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const report = await container.kekRotation.rotate({ batchSize: batchSize(values['batch-size']) });
      return { output: values.json ? json(report) : rotationText(report), exitCode: report.complete ? 0 : 1 };
    },
  },
  {
    name: 'keys kek-status',
    summary: 'count stored data keys per key-encryption key (exit 1 while any is under a key other than the active one)',
    usage: 'keys kek-status [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const status = await container.kekRotation.status();
      const done = status.remaining === 0 && status.missing_kek_ids.length === 0;
      return { output: values.json ? json(status) : statusText(status), exitCode: done ? 0 : 1 };
    },
  },
];
