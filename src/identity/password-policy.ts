/**
 * Password policy for Cyberspace ID accounts, following OWASP ASVS
 * v4.0.3 §2.1 (Password Security) / v5.0 §6.2 and NIST SP 800-63B §5.1.1.2:
 *   - at least 8 characters (ASVS 5.0 6.2.1; v4.0.3 2.1.1 asked for 12, and
 *     both recommend longer), counted in Unicode code points, not UTF-16
 *     units or bytes;
 *   - at least 64 allowed, at most 128 (ASVS 2.1.2 / 6.2.9), so long
 *     passphrases work but a request cannot feed an unbounded string into
 *     the password hash;
 *   - no truncation, no composition rules (2.1.9 / 6.2.5), spaces and any
 *     Unicode character allowed (2.1.4); the password is NFC-normalised
 *     (as NIST 800-63B recommends) so the same password typed on different
 *     platforms compares equal, but nothing is stripped or trimmed;
 *   - rejected if it is in a list of commonly used / breached passwords
 *     (2.1.7 / 6.2.4) or equals context-specific words such as the user's own
 *     Cyberspace ID or document number (6.2.11).
 * The caller must hash the same NFC form it validated here.
 *
 * Common-password list: npm package @zxcvbn-ts/language-common (MIT), its
 * 'passwords-common' dictionary: 49,233 frequency-ordered passwords from the
 * xato.net 10-million-password breach corpus (about 18,000 have 8+ code
 * points). Chosen because it is actively maintained (4.1.x, 2026), widely
 * used (~2M downloads/month as the dictionary behind zxcvbn-ts), MIT-licensed
 * (fits this Apache-2.0 project), ships the list as plain data with one small
 * dependency, and needs no network at run time.
 * Caveat: the list is Western-centric, and zxcvbn's generator drops entries
 * its own pattern matchers catch (repeats, sequences), so "88888888",
 * "12341234" and "abcdefgh" are not in it. isTrivialPattern() closes that
 * gap; such passwords are reported as 'common' too.
 */

import { dictionary } from '@zxcvbn-ts/language-common';

export type PasswordError = 'too_short' | 'too_long' | 'common' | 'contextual';

export type PasswordResult = { ok: true } | { ok: false; error: PasswordError };

export const PASSWORD_MIN_CODE_POINTS = 8;
export const PASSWORD_MAX_CODE_POINTS = 128;

let commonPasswords: ReadonlySet<string> | undefined;

/** Builds the lowercased lookup set once, on first use. */
function getCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return commonPasswords;
}

/** Exposed for tests and diagnostics: number of distinct list entries. */
export function commonPasswordCount(): number {
  return getCommonPasswords().size;
}

/**
 * Loose form used only for *comparisons* (never for hashing): compatibility
 * folding (full-width → ASCII), case-insensitive, and without the spaces and
 * hyphens people put into long numbers. "ＰＡＳＳＷＯＲＤ１" and
 * "110105-19491231-002x" thus match "password1" and the stored ID.
 */
function comparable(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s\-\u2010-\u2015\u2212]+/g, '');
}

/**
 * Checks a new password. `context` holds values the password must not equal
 * (the user's Cyberspace ID, document number, …); empty entries are ignored.
 */
export function checkPassword(password: string, context: readonly string[] = []): PasswordResult {
  const nfc = password.normalize('NFC');
  const length = [...nfc].length;
  if (length < PASSWORD_MIN_CODE_POINTS) return { ok: false, error: 'too_short' };
  if (length > PASSWORD_MAX_CODE_POINTS) return { ok: false, error: 'too_long' };

  const common = getCommonPasswords();
  if (common.has(nfc.toLowerCase()) || common.has(nfc.normalize('NFKC').toLowerCase())) {
    return { ok: false, error: 'common' };
  }

  if (isTrivialPattern([...nfc.toLowerCase()], common)) return { ok: false, error: 'common' };

  const candidate = comparable(nfc);
  for (const value of context) {
    const c = comparable(value);
    if (c !== '' && c === candidate) return { ok: false, error: 'contextual' };
  }
  return { ok: true };
}

/**
 * Repeats and straight runs, which every cracker tries first:
 *   - a shorter unit repeated ("88888888", "12341234", "qwerqwer"), where the
 *     unit is at most 4 code points or itself a listed common password
 *     ("iloveyouiloveyou");
 *   - a run of consecutive code points, up or down ("abcdefgh", "98765432").
 */
function isTrivialPattern(cps: readonly string[], common: ReadonlySet<string>): boolean {
  const n = cps.length;
  for (let unit = 1; unit <= n / 2; unit++) {
    if (n % unit !== 0) continue;
    let repeats = true;
    for (let i = unit; i < n && repeats; i++) repeats = cps[i] === cps[i - unit];
    if (repeats && (unit <= 4 || common.has(cps.slice(0, unit).join('')))) return true;
  }
  const step = cps[1]!.codePointAt(0)! - cps[0]!.codePointAt(0)!;
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < n; i++) {
    if (cps[i]!.codePointAt(0)! - cps[i - 1]!.codePointAt(0)! !== step) return false;
  }
  return true;
}
