// cyberid sandbox add | add-guardian | seed — synthetic identities and guardian relationships
// for the sandbox identity authority (docs/sandbox.md). Refused in production. Output never
// repeats the identity typed in.
import { json, requireString, type Command } from '../command.js';
import type { Container } from '../../container.js';
import { ValidationError } from '../../errors.js';
import { parseIdentityClaim } from '../../identity-authority/claim.js';
import { SANDBOX_SEED_GUARDIANSHIPS, SANDBOX_SEED_IDENTITIES } from '../../identity-authority/sandbox-seed.js';
import type { DocumentRef } from '../../identity-authority/port.js';
import { ATTESTER_LEVELS, type AttesterLevel } from '../../identity/assurance.js';
import { isDocumentType, validateDocumentNumber } from '../../identity/documents.js';

/** One person's document from `--<role>-document-type` and `--<role>-document-number`. */
function documentOption(values: Record<string, unknown>, role: 'guardian' | 'ward', problems: string[]): DocumentRef | undefined {
  const documentType = requireString(values, `${role}-document-type`);
  const number = isDocumentType(documentType) ? validateDocumentNumber(documentType, requireString(values, `${role}-document-number`)) : undefined;
  if (isDocumentType(documentType) && number?.ok) return { documentType, documentNumber: number.normalized };
  problems.push(`--${role}-document-type and --${role}-document-number must name a valid document (see docs/sandbox.md)`);
  return undefined;
}

const isAttesterLevel = (value: string): value is AttesterLevel => ATTESTER_LEVELS.includes(value as AttesterLevel);

/** Outside production a real authority may be configured; then the sandbox is not consulted. */
const notInUse = (container: Container) =>
  container.config.identityAuthority.url
    ? 'note: IDENTITY_AUTHORITY_URL is set, so claims are verified by that authority, not by the sandbox\n'
    : '';

export const sandboxCommands: Command[] = [
  {
    name: 'sandbox add',
    summary: 'add a synthetic identity to the sandbox identity authority (refused in production)',
    usage: 'sandbox add --document-type resident_id|passport|hk_macao_permit|taiwan_permit|foreign_permanent_resident --document-number N --name NAME --birth-date YYYY-MM-DD [--json]',
    options: {
      'document-type': { type: 'string' },
      'document-number': { type: 'string' },
      name: { type: 'string' },
      'birth-date': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(container, values) {
      const parsed = parseIdentityClaim({
        documentType: requireString(values, 'document-type'),
        documentNumber: requireString(values, 'document-number'),
        name: requireString(values, 'name'),
        birthDate: requireString(values, 'birth-date'),
      });
      if (!parsed.ok) throw new ValidationError(parsed.problems);
      await container.sandboxIdentities.add(parsed.claim);
      const output = values.json ? json({ added: 1 }) : 'added 1 synthetic identity to the sandbox\n';
      return { output: output + notInUse(container) };
    },
  },
  {
    name: 'sandbox add-guardian',
    summary: 'record that one sandbox identity is a guardian of another (refused in production)',
    usage: 'sandbox add-guardian --guardian-document-type TYPE --guardian-document-number N --ward-document-type TYPE --ward-document-number N [--json]',
    options: {
      'guardian-document-type': { type: 'string' },
      'guardian-document-number': { type: 'string' },
      'ward-document-type': { type: 'string' },
      'ward-document-number': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(container, values) {
      const problems: string[] = [];
      const guardian = documentOption(values, 'guardian', problems);
      const ward = documentOption(values, 'ward', problems);
      if (!guardian || !ward) throw new ValidationError(problems);
      await container.sandboxIdentities.addGuardian({ guardian, ward });
      const output = values.json ? json({ added: 1 }) : 'added 1 guardian relationship to the sandbox\n';
      return { output: output + notInUse(container) };
    },
  },
  {
    name: 'sandbox attest',
    summary: 'sign an enrolment attestation for a sandbox identity, at a chosen level (refused in production)',
    usage: 'sandbox attest --level substantial|high --challenge CODE --document-type TYPE --document-number N',
    options: { level: { type: 'string' }, challenge: { type: 'string' }, 'document-type': { type: 'string' }, 'document-number': { type: 'string' } },
    async run(container, values) {
      const level = requireString(values, 'level');
      if (!isAttesterLevel(level)) throw new ValidationError([`--level must be one of ${ATTESTER_LEVELS.join(', ')}`]);
      const documentType = requireString(values, 'document-type');
      const number = isDocumentType(documentType) ? validateDocumentNumber(documentType, requireString(values, 'document-number')) : undefined;
      if (!isDocumentType(documentType) || !number?.ok) throw new ValidationError(['--document-type and --document-number must name a valid document']);
      const jws = await container.sandboxAttester.attest({ level, challenge: requireString(values, 'challenge'), documentType, documentNumber: number.normalized });
      return { output: `${jws}\n` };
    },
  },
  {
    name: 'sandbox seed',
    summary: 'load the documented default synthetic identities and guardian relationships (docs/sandbox.md; refused in production)',
    usage: 'sandbox seed [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const seeded = await container.sandboxIdentities.seed(SANDBOX_SEED_IDENTITIES, SANDBOX_SEED_GUARDIANSHIPS);
      const guardianships = SANDBOX_SEED_GUARDIANSHIPS.length;
      const output = values.json
        ? json({ seeded, guardianships })
        : `seeded ${seeded} synthetic identities and ${guardianships} guardian relationships; they are listed in docs/sandbox.md\n`;
      return { output: output + notInUse(container) };
    },
  },
];
