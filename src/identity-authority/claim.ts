// Edge validation of an identity claim typed by a person (the application form and `sandbox add`): the project's validators, one readable problem per field. Messages
// never repeat the input, so they are safe to show, log or send over the CLI bridge.
import { isDocumentType, validateDocumentNumber, DOCUMENT_TYPES, type DocumentError, type DocumentType } from '../identity/documents.js';
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

/** Per-field problem codes (the application form shows each at its field). */
export type ClaimFieldErrors = {
  document_type?: 'invalid';
  document_number?: DocumentError;
  name?: NameError;
  birth_date?: 'invalid';
};

export type CheckedClaim = {
  fields: ClaimFieldErrors;
  /** Each field that passed, normalised (the number even when another field failed). */
  documentType?: DocumentType;
  documentNumber?: string;
  name?: string;
  birthDate?: string;
};

/**
 * The one check of an identity claim, shared by the application form and `sandbox add`: a real
 * birth date (YYYY-MM-DD, 1900 to today in China), the document number's published format for
 * its type (for a resident ID also its check character, region and embedded birth date), and the
 * name rules. Every problem at once.
 */
export function checkIdentityFields(input: ClaimInput, options: { now?: Date } = {}): CheckedClaim {
  const fields: ClaimFieldErrors = {};
  const typed = input.birthDate.trim();
  const birthDate = /^\d{4}-\d{2}-\d{2}$/.test(typed) && parseEmbeddedBirthDate(typed.replaceAll('-', ''), options.now) !== null ? typed : undefined;
  if (!birthDate) fields.birth_date = 'invalid';
  let documentType: DocumentType | undefined;
  let documentNumber: string | undefined;
  if (!isDocumentType(input.documentType)) {
    fields.document_type = 'invalid';
  } else {
    documentType = input.documentType;
    // Without a usable birth date, only the number itself is checked (no second, derived error).
    const result = validateDocumentNumber(documentType, input.documentNumber, birthDate, options);
    if (result.ok) documentNumber = result.normalized;
    else fields.document_number = result.error;
  }
  const name = validateName(input.name);
  if (!name.ok) fields.name = name.error;
  return { fields, documentType, documentNumber, birthDate, ...(name.ok ? { name: name.normalized } : {}) };
}

/** For the CLI: the claim, or readable problems that never repeat the input. */
export function parseIdentityClaim(input: ClaimInput, options: { now?: Date } = {}): ClaimResult {
  const checked = checkIdentityFields(input, options);
  const { fields } = checked;
  const problems: string[] = [];
  if (fields.birth_date) problems.push('birth date must be a real past date written YYYY-MM-DD, not before 1900-01-01');
  if (fields.document_type) problems.push(DOCUMENT_PROBLEMS.unsupported_type);
  if (fields.document_number) problems.push(DOCUMENT_PROBLEMS[fields.document_number]);
  if (fields.name) problems.push(NAME_PROBLEMS[fields.name]);
  const { documentType, documentNumber, name, birthDate } = checked;
  if (problems.length > 0 || !documentType || !documentNumber || !name || !birthDate) return { ok: false, problems };
  return { ok: true, claim: { documentType, documentNumber, name, birthDate } };
}
