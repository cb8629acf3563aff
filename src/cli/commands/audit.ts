// cyberid audit verify | audit tail
import { json, UsageError, type Command } from '../command.js';
import type { AuditEntry } from '../../services/audit.js';

function limit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError('--limit must be a whole number of entries');
  return parsed;
}

const line = (e: AuditEntry) => [
  e.occurredAt.toISOString(),
  e.type,
  `actor=${e.actor}`,
  e.citizenId && `citizen=${e.citizenId}`,
  e.clientId && `client=${e.clientId}`,
  Object.keys(e.details).length > 0 && JSON.stringify(e.details),
  `(${e.chain}:${e.seq})`,
].filter(Boolean).join('  ');

export const auditCommands: Command[] = [
  {
    name: 'audit verify',
    summary: 'recompute every audit log hash chain; exit 1 listing each changed, removed or reordered entry',
    usage: 'audit verify [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const result = await container.audit.verify();
      if (values.json) return { output: json(result), exitCode: result.ok ? 0 : 1 };
      if (result.ok) return { output: `audit log intact: ${result.entries} entries verified\n` };
      const problems = result.problems.map((p) => `  chain ${p.chain} seq ${p.seq}: ${p.problem}\n`).join('');
      return { output: `audit log TAMPERED: ${result.problems.length} problem(s) in ${result.entries} entries\n${problems}`, exitCode: 1 };
    },
  },
  {
    name: 'audit tail',
    summary: 'show the newest audit log entries (newest first), of everyone or of one citizen',
    usage: 'audit tail [--citizen CYBERSPACE_ID] [--limit N] [--json]',
    options: { citizen: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const options = { limit: limit(values.limit) ?? 20 };
      const entries = typeof values.citizen === 'string'
        ? await container.audit.listForCyberspaceId(values.citizen, options)
        : await container.audit.latest(options);
      if (values.json) return { output: json(entries) };
      return { output: entries.length ? entries.map((e) => `${line(e)}\n`).join('') : 'no entries\n' };
    },
  },
];
