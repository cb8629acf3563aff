/**
 * Identity document number validation for Cyberspace ID applications.
 *
 * IMPORTANT: every check here is a *plausibility* check on the published
 * number format (and, where the format has one, its check character). It
 * does not show that a document exists, is valid, or belongs to the
 * applicant: that is for verification against the issuing authority.
 *
 * Pure functions, no I/O.
 */

import {
  parseEmbeddedBirthDate,
  residentIdCheckCharacter,
  validateResidentId,
  type ResidentIdError,
} from './resident-id.js';

export type DocumentType =
  | 'resident_id'
  | 'passport'
  | 'hk_macao_permit'
  | 'taiwan_permit'
  | 'foreign_permanent_resident';

export const DOCUMENT_TYPES: readonly DocumentType[] = Object.freeze([
  'resident_id',
  'passport',
  'hk_macao_permit',
  'taiwan_permit',
  'foreign_permanent_resident',
] as const);

/**
 * 'empty' nothing left after normalisation; 'unsupported_type' type is not a
 * DocumentType (input arrives from HTTP); 'format' does not match the
 * published pattern; the rest come from the MOD 11-2 / birth-date checks.
 */
export type DocumentError = 'empty' | 'unsupported_type' | 'format' | ResidentIdError;

export type DocumentResult = { ok: true; normalized: string } | { ok: false; error: DocumentError };

export interface DocumentOptions {
  /** Reference "today" for the birth-date-not-in-future rule (tests). */
  now?: Date;
}

/**
 * Canonical form applicants may type in many ways: full-width forms (Chinese
 * IMEs emit U+FF01–FF5E and the ideographic space U+3000) are folded to
 * ASCII, then whitespace and hyphen/dash separators are removed and letters
 * upper-cased. Only that narrow folding is done (not NFKC) so that nothing
 * else can turn into a valid-looking number.
 */
export function normalizeDocumentNumber(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000\-\u2010-\u2015\u2212]+/g, '')
    .toUpperCase();
}

/**
 * PRC ordinary passports (Exit and Entry Administration, NIA):
 *   G + 8 digits  – pre-2012 ordinary passports;
 *   E + 8 digits  – e-passports from 2012;
 *   E + letter + 7 digits (e.g. EA1234567) – after the E-digit range ran out;
 *   P / D / S + 7 digits – older public-affairs / diplomatic / service passports.
 */
const PASSPORT = /^(?:[EG][0-9]{8}|E[A-Z][0-9]{7}|[PDS][0-9]{7})$/;

/**
 * Mainland Travel Permit for Hong Kong and Macao Residents (港澳居民来往内地通行证,
 * "回乡证"): H (Hong Kong) or M (Macao) + 8 digits on the 2013 card; earlier
 * issues carry H/M + 10 digits.
 */
const HK_MACAO_PERMIT = /^[HM](?:[0-9]{8}|[0-9]{10})$/;

/**
 * Mainland Travel Permit for Taiwan Residents (台湾居民来往大陆通行证,
 * "台胞证"): 8 digits on the 2015 card; older booklets have 10 digits.
 */
const TAIWAN_PERMIT = /^(?:[0-9]{8}|[0-9]{10})$/;

/**
 * Foreigner's Permanent Residence ID Card (外国人永久居留身份证):
 *   2004 format: 3-letter nationality code + 12 digits (15 characters);
 *   2023 format: 18 characters starting with '9', laid out like a resident ID
 *   (birth date YYYYMMDD at positions 7–14) with the same ISO/IEC 7064
 *   MOD 11-2 check character as GB 11643-1999. The 2023 card's positions 2–6
 *   encode issuing province and nationality, so no region rule applies.
 */
const FPR_OLD = /^[A-Z]{3}[0-9]{12}$/;
const FPR_NEW = /^9[0-9]{16}[0-9X]$/;

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/**
 * Validates a document number for the given type. `birthDate` (YYYY-MM-DD)
 * is the applicant-entered date; for formats that embed a birth date it must
 * match. Returns the normalised number to store / blind-index.
 */
export function validateDocumentNumber(
  type: DocumentType,
  number: string,
  birthDate?: string,
  options: DocumentOptions = {},
): DocumentResult {
  if (!isDocumentType(type)) return { ok: false, error: 'unsupported_type' };
  const normalized = normalizeDocumentNumber(number);
  if (normalized === '') return { ok: false, error: 'empty' };

  switch (type) {
    case 'resident_id': {
      const r = validateResidentId(normalized, birthDate, options);
      return r.ok ? { ok: true, normalized: r.normalized } : r;
    }
    case 'passport':
      return matches(PASSPORT, normalized);
    case 'hk_macao_permit':
      return matches(HK_MACAO_PERMIT, normalized);
    case 'taiwan_permit':
      return matches(TAIWAN_PERMIT, normalized);
    case 'foreign_permanent_resident':
      return validateForeignPermanentResident(normalized, birthDate, options);
  }
}

function matches(pattern: RegExp, normalized: string): DocumentResult {
  return pattern.test(normalized) ? { ok: true, normalized } : { ok: false, error: 'format' };
}

function validateForeignPermanentResident(
  normalized: string,
  birthDate: string | undefined,
  options: DocumentOptions,
): DocumentResult {
  if (FPR_OLD.test(normalized)) return { ok: true, normalized };
  if (!FPR_NEW.test(normalized)) return { ok: false, error: 'format' };
  if (residentIdCheckCharacter(normalized.slice(0, 17)) !== normalized[17]) {
    return { ok: false, error: 'check' };
  }
  const embedded = parseEmbeddedBirthDate(normalized.slice(6, 14), options.now);
  if (embedded === null) return { ok: false, error: 'birth_date_invalid' };
  if (birthDate !== undefined && birthDate !== embedded) {
    return { ok: false, error: 'birth_date_mismatch' };
  }
  return { ok: true, normalized };
}

/**
 * Canonical input for the keyed blind index (HMAC computed elsewhere):
 * `${type}:${normalized}`. The type prefix keeps e.g. an 8-digit Taiwan
 * permit and some other document with the same digits apart. Throws if given
 * anything but a validated, normalised number, because a non-canonical input
 * would silently produce a different index for the same document.
 */
export function documentBlindIndexInput(type: DocumentType, normalized: string): string {
  if (!isDocumentType(type)) throw new TypeError(`unknown document type: ${String(type)}`);
  if (!/^[0-9A-Z]+$/.test(normalized)) {
    throw new TypeError('documentBlindIndexInput expects a normalised document number');
  }
  return `${type}:${normalized}`;
}
