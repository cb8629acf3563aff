// cyberid lawful-access request | approve | reveal | refuse | list   (docs/lawful-access.md)
// Officers are operator account ids. The two-officer rule is enforced by the service; the CLI
// only parses. `reveal` prints plaintext identity: it goes to the officer's terminal only.
import { json, requireString, UsageError, type Command } from '../command.js';
import type { Disclosure, LawfulAccessView } from '../../services/lawful-access.js';
import type { LawfulAccessStatus } from '../../queries/lawful-access.js';

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function oneId(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give exactly one request id');
  return positionals[0]!;
}

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

function disclosureText(d: Disclosure): string {
  const lines = [
    `lawful-access request ${d.id} (case ${d.case_reference}): revealed`,
    `cyberspace ID:   ${d.cyberspace_id}`,
    `account status:  ${d.account_status}`,
  ];
  if (d.identity) {
    lines.push(
      `name:            ${d.identity.name ?? '(none recorded)'}`,
      `document type:   ${d.identity.document_type ?? '(none recorded)'}`,
      `document number: ${d.identity.document_number ?? '(none recorded)'}`,
      `birth date:      ${d.identity.birth_date ?? '(none recorded)'}`,
    );
  } else {
    lines.push(`identity:        none — ${d.identity_note}`);
  }
  lines.push(`authentication log (${d.authentication_log.length} entries, newest first):`);
  for (const e of d.authentication_log) {
    lines.push(`  ${[e.occurred_at, e.type, `actor=${e.actor}`, e.client_id && `client=${e.client_id}`, Object.keys(e.details).length > 0 && JSON.stringify(e.details)].filter(Boolean).join('  ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export const lawfulAccessCommands: Command[] = [
  {
    name: 'lawful-access request',
    summary: 'request the real identity and authentication log behind a cyberspace ID or an ISP\'s pairwise ID (needs a second officer\'s approval)',
    usage: 'lawful-access request (--cyberspace-id ID | --pairwise-id SUB --client-id CLIENT) --case REF --authority CODE --officer OFFICER [--embargo-until YYYY-MM-DD] [--json]',
    options: {
      'cyberspace-id': { type: 'string' },
      'pairwise-id': { type: 'string' },
      'client-id': { type: 'string' },
      case: { type: 'string' },
      authority: { type: 'string' },
      officer: { type: 'string' },
      'embargo-until': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(container, values) {
      const cyberspaceId = optionalString(values['cyberspace-id']);
      const pairwiseId = optionalString(values['pairwise-id']);
      const clientId = optionalString(values['client-id']);
      if ((cyberspaceId === undefined) === (pairwiseId === undefined && clientId === undefined)) {
        throw new UsageError('give either --cyberspace-id, or --pairwise-id with --client-id');
      }
      if (cyberspaceId === undefined && (pairwiseId === undefined || clientId === undefined)) {
        throw new UsageError('--pairwise-id and --client-id go together');
      }
      const result = await container.lawfulAccess.request({
        cyberspaceId,
        pairwiseId,
        clientId,
        caseReference: requireString(values, 'case'),
        authorityCode: requireString(values, 'authority'),
        officer: requireString(values, 'officer'),
        embargoUntil: optionalString(values['embargo-until']),
      });
      if (values.json) return { output: json(result) };
      return { output: `lawful-access request ${result.id} is pending: a second officer must approve it (cyberid lawful-access approve ${result.id} --officer OFFICER)\n` };
    },
  },
  {
    name: 'lawful-access approve',
    summary: 'approve a pending lawful-access request (an officer other than the requester)',
    usage: 'lawful-access approve ID --officer OFFICER [--json]',
    options: { officer: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const result = await container.lawfulAccess.approve(oneId(positionals), requireString(values, 'officer'));
      return { output: values.json ? json(result) : `lawful-access request ${result.id} approved by ${result.approving_officer}\n` };
    },
  },
  {
    name: 'lawful-access reveal',
    summary: 'reveal the identity and authentication log of an approved request (to the requesting or approving officer, once)',
    usage: 'lawful-access reveal ID --officer OFFICER [--json]',
    options: { officer: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const result = await container.lawfulAccess.reveal(oneId(positionals), requireString(values, 'officer'));
      return { output: values.json ? json(result) : disclosureText(result) };
    },
  },
  {
    name: 'lawful-access refuse',
    summary: 'refuse (or withdraw) a pending or approved lawful-access request; nothing is revealed',
    usage: 'lawful-access refuse ID --officer OFFICER [--json]',
    options: { officer: { type: 'string' }, json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const result = await container.lawfulAccess.refuse(oneId(positionals), requireString(values, 'officer'));
      return { output: values.json ? json(result) : `lawful-access request ${result.id} refused by ${result.refusing_officer}\n` };
    },
  },
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
