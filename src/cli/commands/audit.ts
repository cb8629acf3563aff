// cyberid audit anchor | audit verify | audit tail
import { readFileSync } from 'node:fs';
import { json, stringList, UsageError, type Command } from '../command.js';
import { parseAuditAnchor, type AuditEntry } from '../../services/audit.js';

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
    name: 'audit anchor',
    summary: 'print every hash chain\'s head as JSON, to keep outside the database (audit verify --anchor checks against it)',
    usage: 'audit anchor',
    options: {},
    async run(container) {
      return { output: json(await container.audit.anchor()) };
    },
  },
  {
    name: 'audit verify',
    summary: 'recompute every audit log hash chain; exit 1 listing each changed, removed or reordered entry',
    usage: 'audit verify [--anchor FILE…] [--json]',
    options: { anchor: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    async run(container, values) {
      const anchors = stringList(values, 'anchor').map((file) => {
        try {
          return parseAuditAnchor(readFileSync(file, 'utf8'));
        } catch (error) {
          if ((error as { problems?: string[] }).problems) throw error;
          throw new UsageError(`--anchor ${file}: cannot read it as an audit anchor (${(error as Error).message})`);
        }
      });
      const result = await container.audit.verify(anchors);
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
