// cyberid attester add | rotate | list | revoke — the enrolment attesters whose signed
// attestations give an account substantial or high identity assurance (docs/assurance.md).
import { readFileSync } from 'node:fs';
import { json, requireString, UsageError, type Command } from '../command.js';
import { ValidationError } from '../../errors.js';
import type { AttesterRow } from '../../queries/enrolment-attesters.js';

function jwkOption(values: Record<string, unknown>): unknown {
  const text = typeof values.jwk === 'string' ? values.jwk
    : typeof values['jwk-file'] === 'string' ? readFileSync(values['jwk-file'], 'utf8') : undefined;
  if (text === undefined) throw new UsageError('--jwk JSON or --jwk-file PATH is required');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(['the key is not valid JSON (a JSON Web Key is expected)']);
  }
}

function oneKid(positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError('exactly one KID is required');
  return positionals[0]!.trim();
}

const shown = (row: AttesterRow) => ({
  attester_id: row.attester_id, name: row.name, kind: row.kind, level: row.level, kid: row.kid,
  created_at: new Date(row.created_at).toISOString(), revoked_at: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
});

const keyOptions = { jwk: { type: 'string' }, 'jwk-file': { type: 'string' }, json: { type: 'boolean' } } as const;

export const attesterCommands: Command[] = [
  {
    name: 'attester add',
    summary: 'register an enrolment attester and its public key (chip+liveness app or staffed counter)',
    usage: 'attester add --name NAME --kind chip_liveness_app|staffed_counter --level substantial|high (--jwk JSON | --jwk-file PATH) [--json]',
    options: { name: { type: 'string' }, kind: { type: 'string' }, level: { type: 'string' }, ...keyOptions },
    async run(container, values) {
      const row = await container.attesters.add({
        name: requireString(values, 'name'),
        kind: requireString(values, 'kind'),
        level: requireString(values, 'level'),
        jwk: jwkOption(values),
      });
      return { output: values.json ? json(shown(row)) : `registered attester ${row.name} (${row.level}); key id ${row.kid}\n` };
    },
  },
  {
    name: 'attester rotate',
    summary: 'add a new key for the attester holding KID (both verify until the old one is revoked)',
    usage: 'attester rotate KID (--jwk JSON | --jwk-file PATH) [--json]',
    options: keyOptions,
    async run(container, values, positionals) {
      const row = await container.attesters.rotate(oneKid(positionals), jwkOption(values));
      return { output: values.json ? json(shown(row)) : `added key ${row.kid} for ${row.name}; revoke the old key when the attester has switched\n` };
    },
  },
  {
    name: 'attester list',
    summary: 'list enrolment attesters and their keys',
    usage: 'attester list [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values) {
      const rows = (await container.attesters.list()).map(shown);
      if (values.json) return { output: json(rows) };
      if (rows.length === 0) return { output: 'no enrolment attesters registered\n' };
      return { output: rows.map((r) => `${r.kid}  ${r.level.padEnd(11)}  ${r.kind.padEnd(17)}  ${r.revoked_at ? `revoked ${r.revoked_at}` : 'active'}  ${r.name}\n`).join('') };
    },
  },
  {
    name: 'attester revoke',
    summary: 'revoke an attester key: attestations it signs are refused from now on',
    usage: 'attester revoke KID [--json]',
    options: { json: { type: 'boolean' } },
    async run(container, values, positionals) {
      const kid = oneKid(positionals);
      await container.attesters.revoke(kid);
      return { output: values.json ? json({ kid, revoked: true }) : `revoked key ${kid}\n` };
    },
  },
];
