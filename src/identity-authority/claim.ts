// Edge validation of an identity claim typed by a person (the `sandbox add` command today, the
// application form later): the project's validators, one readable problem per field. Messages
// never repeat the input, so they are safe to show, log or send over the CLI bridge.
import { isDocumentType, validateDocumentNumber, DOCUMENT_TYPES, type DocumentError } from '../identity/documents.js';
import { validateName, type NameError, NAME_MAX_CODE_POINTS } from '../identity/names.js';
import { parseEmbeddedBirthDate } from '../identity/resident-id.js';
import type { IdentityClaim } from './port.js';

export type ClaimInput = { documentType: string; documentNumber: string; name: string; birthDate: string };

export type ClaimResult = { ok: true; claim: IdentityClaim } | { ok: false; problems: string[] };

const DOCUMENT_PROBLEMS: Record<DocumentError, string> = {
  empty: 'document number is empty',
  unsupported_type: `document type must be one of ${DOCUMENT_TYPES.join(', ')}`,
  format: 'document number does not have the format of this document type (see docs/sandbox.md)',
  length: 'a resident ID number has exactly 18 characters',
  characters: 'a resident ID number is 17 digits followed by a digit or X',
  check: 'document number: the check character does not match (GB 11643-1999, ISO 7064 MOD 11-2); look for a typing error',
  birth_date_invalid: 'document number: the birth date inside it is not a real past date',
  birth_date_mismatch: 'birth date differs from the one inside the document number',
  region: 'document number: the first six digits are not a plausible region code (GB/T 2260)',
};

const NAME_PROBLEMS: Record<NameError, string> = {
  empty: 'name is empty',
  too_long: `name is longer than ${NAME_MAX_CODE_POINTS} characters`,
  characters: 'name may hold only Han or Latin letters, with single spaces, · between parts, and - or \' between Latin letters',
  invisible: 'name contains invisible characters (zero-width, bidirectional controls); retype it',
};

/** A real Gregorian date, YYYY-MM-DD, from 1900 up to today in China (resident-id.ts rules). */
function isBirthDate(value: string, now?: Date): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && parseEmbeddedBirthDate(value.replaceAll('-', ''), now) !== null;
}

export function parseIdentityClaim(input: ClaimInput, options: { now?: Date } = {}): ClaimResult {
  const problems: string[] = [];
  const birthDateOk = isBirthDate(input.birthDate, options.now);
  if (!birthDateOk) problems.push('birth date must be a real past date written YYYY-MM-DD, not before 1900-01-01');

  const { documentType } = input;
  let documentNumber: string | undefined;
  if (!isDocumentType(documentType)) {
    problems.push(DOCUMENT_PROBLEMS.unsupported_type);
  } else {
    // Without a usable birth date, only the number itself is checked (no second, derived error).
    const result = validateDocumentNumber(documentType, input.documentNumber, birthDateOk ? input.birthDate : undefined, options);
    if (result.ok) documentNumber = result.normalized;
    else problems.push(DOCUMENT_PROBLEMS[result.error]);
  }

  const name = validateName(input.name);
  if (!name.ok) problems.push(NAME_PROBLEMS[name.error]);

  if (problems.length > 0 || !isDocumentType(documentType) || documentNumber === undefined || !name.ok) return { ok: false, problems };
  return { ok: true, claim: { documentType, documentNumber, name: name.normalized, birthDate: input.birthDate } };
}
