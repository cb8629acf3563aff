// The default sandbox identities and guardian relationships (src/identity-authority/
// sandbox-seed.ts) are what docs/sandbox.md promises ISP developers: the same rows, each a valid
// claim, covering every document type and age band, with age bands that are still true today;
// each relationship between a seeded adult and a seeded minor or child.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SANDBOX_SEED_GUARDIANSHIPS, SANDBOX_SEED_IDENTITIES, type SandboxSeedIdentity } from '../../src/identity-authority/sandbox-seed.js';
import type { DocumentRef } from '../../src/identity-authority/port.js';
import { parseIdentityClaim } from '../../src/identity-authority/claim.js';
import { ageBand } from '../../src/identity/age.js';
import { DOCUMENT_TYPES } from '../../src/identity/documents.js';

const DOC = new URL('../../docs/sandbox.md', import.meta.url);

/** The rows of the markdown table whose header starts with `start`. */
function documentedRows(start = '| Document type | Document number |'): string[][] {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith(start));
  assert.ok(header >= 0, `docs/sandbox.md has the table ${start}`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** The day someone turns `years` (29 February → 1 March in common years, like src/identity/age.ts). */
function birthday(birthDate: string, years: number): string {
  const year = Number(birthDate.slice(0, 4)) + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return birthDate.endsWith('-02-29') && !leap ? `${year}-03-01` : `${year}${birthDate.slice(4)}`;
}

const bandChange = (entry: SandboxSeedIdentity) =>
  entry.ageBand === 'child' ? birthday(entry.birthDate, 14) : entry.ageBand === 'minor' ? birthday(entry.birthDate, 18) : undefined;

const bandLabel = (entry: SandboxSeedIdentity) => {
  const until = bandChange(entry);
  return until ? `${entry.ageBand} until ${until}` : entry.ageBand;
};

const startOfDayInChina = (date: string) => new Date(`${date}T00:00:00+08:00`);

describe('sandbox default identities', () => {
  it('are exactly the table in docs/sandbox.md', () => {
    const expected = SANDBOX_SEED_IDENTITIES.map((entry) => [
      entry.documentType, entry.documentNumber, entry.name, entry.birthDate, bandLabel(entry), entry.purpose,
    ]);
    assert.deepEqual(documentedRows(), expected);
  });

  it('have exactly the guardian relationships docs/sandbox.md lists', () => {
    const person = (document: DocumentRef) => {
      const entry = SANDBOX_SEED_IDENTITIES.find((e) => e.documentType === document.documentType && e.documentNumber === document.documentNumber);
      assert.ok(entry, `${document.documentNumber} is a seeded identity`);
      return entry;
    };
    const expected = SANDBOX_SEED_GUARDIANSHIPS.map(({ guardian, ward, purpose }) => [
      `${person(guardian).name} (${guardian.documentNumber})`, `${person(ward).name} (${ward.documentNumber})`, purpose,
    ]);
    assert.deepEqual(documentedRows('| Guardian | Ward |'), expected);
    for (const { guardian, ward } of SANDBOX_SEED_GUARDIANSHIPS) {
      assert.equal(person(guardian).ageBand, 'adult');
      assert.notEqual(person(ward).ageBand, 'adult');
    }
    const wards = new Set(SANDBOX_SEED_GUARDIANSHIPS.map((pair) => pair.ward.documentNumber));
    for (const minor of SANDBOX_SEED_IDENTITIES.filter((e) => e.ageBand !== 'adult')) assert.ok(wards.has(minor.documentNumber), `${minor.name} has a seeded guardian`);
  });

  it('are valid claims already in canonical form', () => {
    for (const entry of SANDBOX_SEED_IDENTITIES) {
      const { documentType, documentNumber, name, birthDate } = entry;
      const parsed = parseIdentityClaim({ documentType, documentNumber, name, birthDate });
      assert.deepEqual(parsed, { ok: true, claim: { documentType, documentNumber, name, birthDate } }, documentNumber);
    }
  });

  it('are in the age band they are documented in, today', () => {
    for (const entry of SANDBOX_SEED_IDENTITIES) {
      assert.equal(ageBand(entry.birthDate), entry.ageBand,
        `${entry.name} (${entry.birthDate}) has left the "${entry.ageBand}" band: move the birth date in sandbox-seed.ts and docs/sandbox.md`);
    }
  });

  it('document the day each minor or child changes band', () => {
    const next = { child: 'minor', minor: 'adult' } as const;
    for (const entry of SANDBOX_SEED_IDENTITIES) {
      const until = bandChange(entry);
      if (!until || entry.ageBand === 'adult') continue;
      const change = startOfDayInChina(until);
      assert.equal(ageBand(entry.birthDate, new Date(change.getTime() - 1)), entry.ageBand, `${entry.name} the moment before ${until}`);
      assert.equal(ageBand(entry.birthDate, change), next[entry.ageBand], `${entry.name} on ${until}`);
    }
  });

  it('cover every document type, every age band, leap days, a check character X, with distinct documents', () => {
    const entries = SANDBOX_SEED_IDENTITIES;
    assert.deepEqual(new Set(entries.map((e) => e.documentType)), new Set(DOCUMENT_TYPES));
    assert.deepEqual(new Set(entries.map((e) => e.ageBand)), new Set(['adult', 'minor', 'child']));
    const ages = entries.map((e) => ageBand(e.birthDate));
    assert.ok(ages.includes('minor') && ages.includes('child'));
    assert.ok(entries.some((e) => e.birthDate.endsWith('-02-29') && e.ageBand === 'adult'));
    assert.ok(entries.some((e) => e.birthDate.endsWith('-02-29') && e.ageBand === 'child'));
    assert.ok(entries.some((e) => e.documentType === 'resident_id' && e.documentNumber.endsWith('X')));
    const documents = entries.map((e) => `${e.documentType}:${e.documentNumber}`);
    assert.equal(new Set(documents).size, documents.length);
    assert.ok(entries.length >= 10);
  });
});
