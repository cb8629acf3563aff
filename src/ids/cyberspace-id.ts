/**
 * Cyberspace ID: 24 symbols = 23 payload symbols (115 bits) + 1 check symbol,
 * written in the Crockford base32 alphabet. Public spec: docs/cyberspace-id-format.md
 *
 * Check symbol — why not the ISO/IEC 7064 hybrid system "MOD 33,32":
 * ISO/IEC 7064 §5 hybrid systems (MOD 11,10 / 27,26 / 37,36) generalised to M = 32
 * catch every single substitution but miss some adjacent transpositions
 * (e.g. "HFG…" and "HGF…" get the same check symbol; test/unit proves this by enumeration).
 * An ISO/IEC 7064 pure system over the integers (§4: Σ aᵢ·rⁱ ≡ 1 mod p, p prime) can't work either:
 * catching every substitution needs p ≥ 32, and keeping one check symbol in the alphabet needs p ≤ 32;
 * no prime satisfies both.
 *
 * So this uses the ISO/IEC 7064 *pure system* structure (same recursive formula, same
 * "weighted sum ≡ 1" rule, radix r, check symbol weighted r⁰) but replaces integers mod p with
 * the field GF(32) = GF(2)[x] / (x⁵ + x² + 1) and uses radix r = α = x.
 * Addition is XOR; multiplying by α is a shift plus a conditional XOR with 0b100101.
 * A string v₀…v₂₃ is valid iff  Σ vᵢ·α^(23−i) = 1  in GF(32).
 * Errors the check always catches (proved exhaustively in the tests):
 *  - single substitution: the error is e·αᵏ with e ≠ 0, which is never 0;
 *  - adjacent transposition a↔b (a ≠ b): the error is (a⊕b)·αᵏ·(α⊕1), never 0 because α ≠ 1.
 */
import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O, U. The symbol's value is its index (0–31). */
export const CYBERSPACE_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CYBERSPACE_ID_LENGTH = 24;
const PAYLOAD_LENGTH = CYBERSPACE_ID_LENGTH - 1; // 23 symbols × 5 bits = 115 bits
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]+$/;

/** Multiplication by α in GF(32), reduction polynomial x⁵ + x² + 1 (0x25). */
function mulAlpha(s: number): number {
  s <<= 1;
  return s & 0x20 ? s ^ 0x25 : s;
}

/** Horner evaluation Σ vᵢ·α^(n−1−i) ("recursive method" of ISO/IEC 7064 §4, in GF(32)). */
function horner(symbols: string): number {
  let s = 0;
  for (const ch of symbols) {
    const v = CYBERSPACE_ID_ALPHABET.indexOf(ch);
    if (v < 0) throw new RangeError(`not a cyberspace ID symbol: ${JSON.stringify(ch)}`);
    s = mulAlpha(s) ^ v;
  }
  return s;
}

/** Check symbol for 23 payload symbols: the c with horner(payload + c) === 1, i.e. c = α·S ⊕ 1. */
export function checkSymbol(payload: string): string {
  if (payload.length !== PAYLOAD_LENGTH) {
    throw new RangeError(`payload must be ${PAYLOAD_LENGTH} symbols, got ${payload.length}`);
  }
  return CYBERSPACE_ID_ALPHABET[mulAlpha(horner(payload)) ^ 1]!;
}

/** Encodes the first 115 bits of `bytes` (MSB first, 5 bits a symbol), then appends the check symbol. */
export function fromBytes(bytes: Uint8Array): string {
  if (bytes.length < 15) throw new RangeError(`need at least 15 bytes (115 bits), got ${bytes.length}`);
  let payload = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; payload.length < PAYLOAD_LENGTH; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xfff; // never needs more than 12 bits
    bits += 8;
    while (bits >= 5 && payload.length < PAYLOAD_LENGTH) {
      bits -= 5;
      payload += CYBERSPACE_ID_ALPHABET[(acc >> bits) & 31];
    }
  }
  return payload + checkSymbol(payload);
}

/** A fresh random ID (115 random bits). */
export function generateCyberspaceId(): string {
  return fromBytes(randomBytes(15));
}

/**
 * Lenient clean-up of human input. It does NOT validate. Steps:
 * full-width ASCII (U+FF01–U+FF5E) → ASCII; remove whitespace (incl. U+3000), '-', '_', '.' and dash
 * look-alikes; ASCII uppercase; O→0, I→1, L→1, U→V (Crockford decoding rules).
 */
export function normalizeCyberspaceId(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-_.\u2010-\u2015\u2212]/gu, '')
    .replace(/[a-z]/g, (c) => c.toUpperCase())
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
    .replace(/U/g, 'V');
}

export type ParseResult = { ok: true; id: string } | { ok: false; reason: 'length' | 'characters' | 'check' };

/** Normalises, then checks length, characters and finally the check symbol. */
export function parseCyberspaceId(input: string): ParseResult {
  const id = normalizeCyberspaceId(input);
  if (id.length !== CYBERSPACE_ID_LENGTH) return { ok: false, reason: 'length' };
  if (!CANONICAL.test(id)) return { ok: false, reason: 'characters' };
  if (horner(id) !== 1) return { ok: false, reason: 'check' };
  return { ok: true, id };
}

/** Strict: true only for an ID that is already canonical (no normalisation) and has a correct check symbol. */
export function isValidCyberspaceId(input: string): boolean {
  return input.length === CYBERSPACE_ID_LENGTH && CANONICAL.test(input) && horner(input) === 1;
}

/** Display form: groups of 4 joined by '-', e.g. "0123-4567-89AB-CDEF-GHJK-MNP6". */
export function formatForReading(id: string): string {
  return (id.match(/.{1,4}/gsu) ?? []).join('-');
}
