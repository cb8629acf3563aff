/**
 * Legal-name validation for Cyberspace ID applicants.
 *
 * Names are compared (and later matched against document records), so the
 * aim is one canonical spelling per name and no characters that render
 * invisibly or as look-alikes. Allowed after normalisation:
 *   - Han characters (\p{Script=Han}): Chinese names, incl. rare ideographs
 *     outside the BMP;
 *   - Latin letters (\p{Script=Latin}, upper/lower/title case), incl. accented
 *     letters once NFC has composed them: foreign names and pinyin;
 *   - U+00B7 MIDDLE DOT between name parts, as used on PRC documents for
 *     transliterated (ethnic-minority or foreign) names, e.g. 阿沛·阿旺晋美;
 *   - hyphen and apostrophe between two Latin letters (Jean-Luc, O'Neil);
 *   - single spaces between letters (foreign names).
 * Rejected: control (Cc) and format (Cf) characters, default-ignorable code
 * points, private use, unassigned, leftover combining marks, digits,
 * punctuation, symbols and emoji, and compatibility characters (any code point
 * that NFKC would change, e.g. Kangxi radicals ⼀ that look like 一).
 * Pure function, no I/O. Unicode handling follows UAX #15 (normalisation) and
 * the identifier-safety advice of UTS #39 / UAX #31 (default ignorables).
 */

export type NameError = 'empty' | 'too_long' | 'characters' | 'invisible';

export type NameResult = { ok: true; normalized: string } | { ok: false; error: NameError };

/** Upper bound in code points after normalisation. */
export const NAME_MAX_CODE_POINTS = 64;

const MIDDLE_DOT = '\u00B7';

/**
 * Invisible characters: format characters (zero-width space/joiners, bidi
 * embeddings/overrides U+202A–202E and isolates U+2066–2069, BOM, soft
 * hyphen…) and other default-ignorables (variation selectors, Hangul fillers).
 * They can make two different-looking-identical names compare unequal or
 * reorder displayed text (Trojan Source, CVE-2021-42574), so they get their
 * own error rather than being silently stripped.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/**
 * Characters that IMEs and copy-paste produce for the name-separator dot:
 * U+30FB KATAKANA MIDDLE DOT, U+FF65 HALFWIDTH KATAKANA MIDDLE DOT,
 * U+2027 HYPHENATION POINT, U+2022 BULLET. (U+0387 is mapped by NFC already.)
 */
const DOT_VARIANTS = /[\u30FB\uFF65\u2027\u2022]/g;
const APOSTROPHE_VARIANTS = /[\u2019\u02BC]/g;
const HYPHEN_VARIANTS = /[\u2010\u2011]/g;

const HAN = /^\p{Script=Han}$/u;
const LATIN = /^\p{Script=Latin}$/u;
const CASED_LETTER = /^[\p{Lu}\p{Ll}\p{Lt}]$/u;

function isHan(ch: string): boolean {
  return HAN.test(ch);
}

function isLatinLetter(ch: string): boolean {
  return LATIN.test(ch) && CASED_LETTER.test(ch);
}

function isLetter(ch: string): boolean {
  return isHan(ch) || isLatinLetter(ch);
}

export function validateName(input: string): NameResult {
  let s = input.normalize('NFC');
  if (INVISIBLE.test(s)) return { ok: false, error: 'invisible' };

  s = s
    // Full-width ASCII forms (Chinese IMEs) → ASCII, ideographic space → space.
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(DOT_VARIANTS, MIDDLE_DOT)
    .replace(APOSTROPHE_VARIANTS, "'")
    .replace(HYPHEN_VARIANTS, '-')
    .trim();
  if (s === '') return { ok: false, error: 'empty' };
  // Checked before collapsing whitespace so an embedded newline or tab is an
  // error rather than quietly becoming a space.
  if (/\p{Cc}/u.test(s)) return { ok: false, error: 'characters' };

  s = s.replace(/\s+/g, ' ').replace(/ ?\u00B7 ?/g, MIDDLE_DOT);

  const chars = [...s];
  if (chars.length > NAME_MAX_CODE_POINTS) return { ok: false, error: 'too_long' };

  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (isLetter(ch)) {
      // Compatibility characters (NFKC-unstable) are visual duplicates.
      if (ch.normalize('NFKC') !== ch) return { ok: false, error: 'characters' };
      continue;
    }
    const prev = chars[i - 1];
    const next = chars[i + 1];
    if (prev === undefined || next === undefined) return { ok: false, error: 'characters' };
    if (ch === ' ' || ch === MIDDLE_DOT) {
      if (!isLetter(prev) || !isLetter(next)) return { ok: false, error: 'characters' };
    } else if (ch === '-' || ch === "'") {
      if (!isLatinLetter(prev) || !isLatinLetter(next)) return { ok: false, error: 'characters' };
    } else {
      return { ok: false, error: 'characters' };
    }
  }
  return { ok: true, normalized: s };
}
