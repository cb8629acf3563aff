/**
 * PRC resident identity card number (公民身份号码) validation.
 *
 * Structure per GB 11643-1999 "Citizen identification number":
 *   positions 1–6   address code (GB/T 2260 administrative division code)
 *   positions 7–14  birth date YYYYMMDD (Gregorian calendar)
 *   positions 15–17 sequence code; position 17 odd = male, even = female
 *   position 18     check character, ISO/IEC 7064:2003 MOD 11-2
 *
 * This is a plausibility check only (no I/O): it proves the number is well
 * formed, not that it was ever issued or belongs to the applicant. Authority
 * verification happens elsewhere.
 */

export type ResidentIdError =
  | 'length'
  | 'characters'
  | 'check'
  | 'birth_date_invalid'
  | 'birth_date_mismatch'
  | 'region';

export type ResidentIdResult =
  | { ok: true; normalized: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; error: ResidentIdError };

export interface ResidentIdOptions {
  /** Reference "today" for the not-in-the-future rule; tests inject it. */
  now?: Date;
}

/**
 * ISO/IEC 7064 MOD 11-2 weights for positions 1..17: w_i = 2^(17-i) mod 11
 * (i counted from 0), i.e. 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (GB 11643-1999).
 */
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);

/** Check value 0..10 → character; 10 is written 'X' (GB 11643-1999). */
const CHECK_CHARS = '0123456789X';

/**
 * Province-level codes (first two digits of GB/T 2260): 11–15 North China,
 * 21–23 Northeast, 31–37 East, 41–46 Central-South, 50–54 Southwest,
 * 61–65 Northwest, 71 Taiwan, 81 Hong Kong, 82 Macao; 83 is used for the
 * residence permits of Taiwan residents and 91 is accepted per project brief.
 */
const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83', '91',
]);

/**
 * Residence permits for Hong Kong, Macao and Taiwan residents (State Council
 * 2018 measures) carry the whole-region codes 810000 / 820000 / 830000 as
 * their address code, so they are the only allowed "xx0000" codes.
 */
const WHOLE_REGION_CODES: ReadonlySet<string> = new Set(['810000', '820000', '830000']);

/** Computes the MOD 11-2 check character for the first 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) {
    throw new TypeError('residentIdCheckCharacter expects exactly 17 ASCII digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[(12 - (sum % 11)) % 11]!;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * "Today" as YYYYMMDD in China Standard Time (UTC+8, no DST): the ID is
 * issued in China, so a baby born today in Beijing must not be "future".
 */
function todayInChina(now: Date): string {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const y = cst.getUTCFullYear();
  const m = cst.getUTCMonth() + 1;
  const d = cst.getUTCDate();
  return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

/**
 * Validates an embedded YYYYMMDD birth date: a real Gregorian date, not
 * before 1900-01-01 and not after today (China time). Returns YYYY-MM-DD or
 * null. Shared with other document types that embed the same field.
 */
export function parseEmbeddedBirthDate(yyyymmdd: string, now: Date = new Date()): string | null {
  if (!/^[0-9]{8}$/.test(yyyymmdd)) return null;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  // Fixed-width digit strings compare chronologically as plain strings.
  if (yyyymmdd > todayInChina(now)) return null;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/**
 * Validates a resident ID number. Accepts a lowercase 'x' check character and
 * normalises it to 'X'; performs no other normalisation (documents.ts trims,
 * strips separators and folds full-width characters before calling this).
 *
 * Checks run from the cheapest / most likely user error (typo → check
 * character) to semantic checks, so the reported error is the most useful.
 * `birthDate`, when given, is the applicant-entered date (YYYY-MM-DD) and must
 * equal the embedded one.
 */
export function validateResidentId(
  number: string,
  birthDate?: string,
  options: ResidentIdOptions = {},
): ResidentIdResult {
  if (number.length !== 18) return { ok: false, error: 'length' };
  if (!/^[0-9]{17}[0-9Xx]$/.test(number)) return { ok: false, error: 'characters' };
  const normalized = number.toUpperCase();
  if (residentIdCheckCharacter(normalized.slice(0, 17)) !== normalized[17]) {
    return { ok: false, error: 'check' };
  }
  if (!isPlausibleRegion(normalized.slice(0, 6))) return { ok: false, error: 'region' };
  const embedded = parseEmbeddedBirthDate(normalized.slice(6, 14), options.now);
  if (embedded === null) return { ok: false, error: 'birth_date_invalid' };
  if (birthDate !== undefined && birthDate !== embedded) {
    return { ok: false, error: 'birth_date_mismatch' };
  }
  const sex = Number(normalized[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, normalized, birthDate: embedded, sex };
}

function isPlausibleRegion(code6: string): boolean {
  if (WHOLE_REGION_CODES.has(code6)) return true;
  return PROVINCE_CODES.has(code6.slice(0, 2)) && code6.slice(2) !== '0000';
}
