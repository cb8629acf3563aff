// cyberid lawful-access list   (docs/lawful-access.md)
// Requesting, approving, revealing and refusing are steps of two signed-in officers in the
// operator console (/admin/lawful-access), never of a shell: one shell user with two --officer
// strings could otherwise do all of it alone (issue 11). The CLI keeps the ledger, which names
// no citizen, and says where the steps went.
import { json, UsageError, type Command } from '../command.js';
import type { LawfulAccessView } from '../../services/lawful-access.js';
import type { LawfulAccessStatus } from '../../queries/lawful-access.js';

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

const summary = (r: LawfulAccessView) => [
  r.id,
  r.status.padEnd(8),
  `case=${r.case_reference}`,
  `authority=${r.authority_code}`,
  r.client_id ? `isp=${r.client_id}` : 'by=cyberspace_id',
  `requested_by=${r.requesting_officer}`,
  r.approving_officer && `approved_by=${r.approving_officer}`,
  r.revealing_officer && `revealed_to=${r.revealing_officer}`,
  r.refusing_officer && `refused_by=${r.refusing_officer}`,
  r.embargo_until && `embargo_until=${r.embargo_until}`,
  `created=${r.created_at}`,
].filter(Boolean).join('  ');

const inTheConsole = (step: string): Command => ({
  name: `lawful-access ${step}`,
  summary: `moved to the operator console: ${step} is a step of a signed-in lawful-access officer`,
  usage: `lawful-access ${step}   (use /admin/lawful-access)`,
  options: {},
  async run(container) {
    return {
      output: `error: lawful-access ${step} is done in the operator console by a signed-in officer (two different officers request and approve): ${container.config.issuer}/admin/lawful-access\n`,
      exitCode: 2,
    };
  },
});

export const lawfulAccessCommands: Command[] = [
  ...['request', 'approve', 'reveal', 'refuse'].map(inTheConsole),
  {
    name: 'lawful-access list',
    summary: 'the lawful-access ledger, newest first (names no citizen)',
    usage: 'lawful-access list [--status pending|approved|revealed|refused] [--limit N] [--json]',
    options: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values) {
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !Number.isInteger(limit)) throw new UsageError('--limit must be a whole number');
      const requests = await container.lawfulAccess.list({ status: optionalString(values.status) as LawfulAccessStatus | undefined, limit });
      if (values.json) return { output: json(requests) };
      return { output: requests.length ? requests.map((r) => `${summary(r)}\n`).join('') : 'no lawful-access requests\n' };
    },
  },
];
