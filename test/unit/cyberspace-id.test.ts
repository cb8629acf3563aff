import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CYBERSPACE_ID_ALPHABET,
  CYBERSPACE_ID_LENGTH,
  checkSymbol,
  formatForReading,
  fromBytes,
  generateCyberspaceId,
  isValidCyberspaceId,
  normalizeCyberspaceId,
  parseCyberspaceId,
} from '../../src/ids/cyberspace-id.js';

const A = CYBERSPACE_ID_ALPHABET;
const SYMBOLS = [...Array(32).keys()]; // symbol values 0..31
const STATES = [...Array(32).keys()]; // GF(32) elements 0..31

// ---------------------------------------------------------------------------------------------
// Independent reference, written differently from src: general carry-less multiplication in GF(32),
// explicit weights α^k, BigInt for the bit split, reduce instead of loops.
// ---------------------------------------------------------------------------------------------
function gfMul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 5; i++) if ((b >> i) & 1) r ^= a << i;
  for (let i = 8; i >= 5; i--) if ((r >> i) & 1) r ^= 0x25 << (i - 5); // x⁵ + x² + 1
  return r;
}
const alphaPow = (k: number): number => Array.from({ length: k }).reduce<number>((p) => gfMul(p, 2), 1);
/** Σ vᵢ·α^(n−1−i) over GF(32). */
const weightedSum = (s: string): number =>
  [...s].reduce((acc, ch, i) => acc ^ gfMul(A.indexOf(ch), alphaPow(s.length - 1 - i)), 0);
const refCheck = (payload: string): string => A[1 ^ weightedSum(payload + '0')]!;
function refFromBytes(bytes: Uint8Array): string {
  const n = [...bytes.subarray(0, 15)].reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) >> 5n;
  const payload = Array.from({ length: 23 }, (_, i) => A[Number((n >> BigInt(5 * (22 - i))) & 31n)]).join('');
  return payload + refCheck(payload);
}

/** One step of the check computation as specified: state ← α·state ⊕ v. */
const step = (s: number, v: number): number => gfMul(s, 2) ^ v;

const KNOWN_ANSWERS: Array<[string, Uint8Array | string]> = [
  ['000000000000000000000001', '00000000000000000000000'],
  ['0123456789ABCDEFGHJKMNP3', '0123456789ABCDEFGHJKMNP'], // worked example in the doc
  ['ZZZZZZZZZZZZZZZZZZZZZZZG', 'ZZZZZZZZZZZZZZZZZZZZZZZ'],
  ['000G40R40M30E209185GR38V', Uint8Array.from({ length: 15 }, (_, i) => i)],
  ['CDWP4SBJEDR62RV55NMP8B9B', new TextEncoder().encode('cyberspace-id-1')],
  ['ZZZZZZZZZZZZZZZZZZZZZZZG', new Uint8Array(15).fill(0xff)],
];

describe('cyberspace-id', () => {
  it('has the agreed constants', () => {
    assert.equal(CYBERSPACE_ID_ALPHABET, '0123456789ABCDEFGHJKMNPQRSTVWXYZ');
    assert.equal(new Set(A).size, 32);
    assert.doesNotMatch(A, /[ILOU]/);
    assert.equal(CYBERSPACE_ID_LENGTH, 24);
  });

  describe('known-answer vectors', () => {
    for (const [expected, input] of KNOWN_ANSWERS) {
      it(`${typeof input === 'string' ? input : Buffer.from(input).toString('hex')} → ${expected}`, () => {
        const actual = typeof input === 'string' ? input + checkSymbol(input) : fromBytes(input);
        assert.equal(actual, expected);
        const ref = typeof input === 'string' ? input + refCheck(input) : refFromBytes(input);
        assert.equal(ref, expected, 'independent reimplementation agrees');
        assert.equal(weightedSum(expected), 1, 'Σ vᵢ·α^(23−i) = 1');
        assert.ok(isValidCyberspaceId(expected));
      });
    }

    it('matches the independent reimplementation on 2000 random inputs', () => {
      for (let i = 0; i < 2000; i++) {
        const bytes = randomBytes(15 + (i % 3));
        assert.equal(fromBytes(bytes), refFromBytes(bytes));
      }
    });

    it('matches the reference for every symbol at every payload position (basis of the linear map)', () => {
      for (let pos = 0; pos < 23; pos++) {
        for (const ch of A) {
          const payload = '0'.repeat(pos) + ch + '0'.repeat(22 - pos);
          assert.equal(checkSymbol(payload), refCheck(payload));
        }
      }
    });
  });

  describe('exhaustive error-detection proof (all 32 states × all symbols / symbol pairs)', () => {
    // Validation runs state ← step(state, v) over all 24 symbols, from state 0, and accepts iff the
    // final state is 1. Lemma: every step(·, v) is a bijection on the 32 states, so two runs whose
    // states differ at some point still differ at the end — and then at most one can end in 1.
    // An error is therefore caught iff the states differ right after the altered symbols; the
    // checks below test that for EVERY possible state, so they cover every position (including
    // the check symbol itself, which is processed by the same step).
    it('lemma: each step is a bijection on the state space', () => {
      for (const v of SYMBOLS) assert.equal(new Set(STATES.map((s) => step(s, v))).size, 32);
    });

    it('detects every single-symbol substitution', () => {
      let cases = 0;
      for (const s of STATES)
        for (const a of SYMBOLS)
          for (const b of SYMBOLS) {
            if (a === b) continue;
            assert.notEqual(step(s, a), step(s, b), `state ${s}: ${a}→${b}`);
            cases++;
          }
      assert.equal(cases, 32 * 32 * 31);
    });

    it('detects every adjacent transposition of two different symbols', () => {
      let cases = 0;
      for (const s of STATES)
        for (const a of SYMBOLS)
          for (const b of SYMBOLS) {
            if (a === b) continue;
            assert.notEqual(step(step(s, a), b), step(step(s, b), a), `state ${s}: ${a}${b}→${b}${a}`);
            cases++;
          }
      assert.equal(cases, 32 * 32 * 31);
    });

    it('bonus: detects every twin error (aa→bb) and jump transposition (abc→cba)', () => {
      for (const s of STATES)
        for (const a of SYMBOLS)
          for (const c of SYMBOLS) {
            if (a === c) continue;
            assert.notEqual(step(step(s, a), a), step(step(s, c), c));
            for (const m of SYMBOLS) assert.notEqual(step(step(step(s, a), m), c), step(step(step(s, c), m), a));
          }
    });

    it('the implementation rejects every substitution and adjacent transposition of real IDs', () => {
      const ids = [...KNOWN_ANSWERS.map(([id]) => id), ...Array.from({ length: 20 }, generateCyberspaceId)];
      for (const id of ids) {
        for (let i = 0; i < 24; i++) {
          for (const ch of A) {
            if (ch === id[i]) continue;
            const bad = id.slice(0, i) + ch + id.slice(i + 1);
            assert.equal(isValidCyberspaceId(bad), false, bad);
            assert.deepEqual(parseCyberspaceId(bad), { ok: false, reason: 'check' });
          }
          if (i < 23 && id[i] !== id[i + 1]) {
            const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
            assert.equal(isValidCyberspaceId(swapped), false, swapped);
          }
        }
      }
    });

    it('why not ISO/IEC 7064 MOD 33,32 hybrid: it misses some adjacent transpositions', () => {
      // ISO/IEC 7064 hybrid system with M = 32: p ← 2·‖(p + c) mod M‖ mod (M+1), ‖0‖ = M.
      const hybrid = (p: number, c: number): number => (2 * ((p + c) % 32 || 32)) % 33;
      let substitutionMisses = 0;
      let transpositionMisses = 0;
      for (let p = 1; p <= 32; p++)
        for (const a of SYMBOLS)
          for (const b of SYMBOLS) {
            if (a === b) continue;
            if (hybrid(p, a) === hybrid(p, b)) substitutionMisses++;
            if (hybrid(hybrid(p, a), b) === hybrid(hybrid(p, b), a)) transpositionMisses++;
          }
      assert.equal(substitutionMisses, 0);
      assert.equal(transpositionMisses, 64);
      // Concrete counterexample: "HFG…" and "HGF…" get the same hybrid check character.
      const hybridCheck = (payload: string): number =>
        (33 - [...payload].reduce((p, ch) => hybrid(p, A.indexOf(ch)), 32)) % 32;
      const zeros = '0'.repeat(20);
      assert.equal(hybridCheck('HFG' + zeros), hybridCheck('HGF' + zeros));
      assert.notEqual(checkSymbol('HFG' + zeros), checkSymbol('HGF' + zeros));
    });
  });

  describe('normalizeCyberspaceId', () => {
    const id = '0123456789ABCDEFGHJKMNP3';
    const cases: Array<[string, string]> = [
      ['lowercase', id.toLowerCase()],
      ['surrounding whitespace', `  \t${id}\n `],
      ['reading form with hyphens', formatForReading(id)],
      ['spaces, underscores, dots', '0123 4567_89AB.CDEF GHJK-MNP3'],
      ['ideographic space U+3000 and NBSP', '0123\u30004567\u00A089ABCDEFGHJKMNP3'],
      ['full-width letters, digits and hyphen', '０１２３－４５６７－８９ＡＢ－ＣＤＥＦ－ＧＨＪＫ－ＭＮＰ３'],
      ['full-width lowercase', '０１２３４５６７８９ａｂｃｄｅｆｇｈｊｋｍｎｐ３'],
      ['Unicode dashes', '0123\u20134567\u201489AB\u2212CDEFGHJKMNP3'],
    ];
    for (const [name, input] of cases) {
      it(name, () => {
        assert.equal(normalizeCyberspaceId(input), id);
        assert.deepEqual(parseCyberspaceId(input), { ok: true, id });
      });
    }

    it('maps look-alikes O→0, I→1, L→1, U→V (any case, full-width too)', () => {
      assert.equal(normalizeCyberspaceId('OoIiLlUu'), '001111VV');
      assert.equal(normalizeCyberspaceId('ＯＩＬＵ'), '011V');
      const withLookAlikes = 'O123456789ABCDEFGHJKMNP3'.replace('1', 'l');
      assert.deepEqual(parseCyberspaceId(withLookAlikes), { ok: true, id });
    });

    it('does not validate', () => {
      assert.equal(normalizeCyberspaceId('ab*'), 'AB*');
      assert.equal(normalizeCyberspaceId(''), '');
    });
  });

  describe('parseCyberspaceId / isValidCyberspaceId', () => {
    const id = '0123456789ABCDEFGHJKMNP3';

    it('reports the rejection reason', () => {
      assert.deepEqual(parseCyberspaceId(''), { ok: false, reason: 'length' });
      assert.deepEqual(parseCyberspaceId(id.slice(1)), { ok: false, reason: 'length' });
      assert.deepEqual(parseCyberspaceId(id + '0'), { ok: false, reason: 'length' });
      assert.deepEqual(parseCyberspaceId('*' + id.slice(1)), { ok: false, reason: 'characters' });
      assert.deepEqual(parseCyberspaceId('É' + id.slice(1)), { ok: false, reason: 'characters' });
      assert.deepEqual(parseCyberspaceId(id.slice(0, 23) + '4'), { ok: false, reason: 'check' });
      assert.deepEqual(parseCyberspaceId('0'.repeat(24)), { ok: false, reason: 'check' });
    });

    it('isValidCyberspaceId is strict (canonical form only)', () => {
      assert.equal(isValidCyberspaceId(id), true);
      assert.equal(isValidCyberspaceId(id.toLowerCase()), false);
      assert.equal(isValidCyberspaceId(formatForReading(id)), false);
      assert.equal(isValidCyberspaceId(` ${id}`), false);
      assert.equal(isValidCyberspaceId('O' + id.slice(1)), false);
      assert.equal(isValidCyberspaceId(id.slice(0, 23) + '4'), false);
      assert.equal(isValidCyberspaceId(''), false);
    });

    it('formatForReading groups by 4', () => {
      assert.equal(formatForReading(id), '0123-4567-89AB-CDEF-GHJK-MNP3');
    });
  });

  describe('generation', () => {
    it('generateCyberspaceId produces distinct valid canonical IDs', () => {
      const ids = new Set(Array.from({ length: 1000 }, generateCyberspaceId));
      assert.equal(ids.size, 1000);
      for (const x of ids) {
        assert.match(x, /^[0-9A-Z]{24}$/);
        assert.ok(isValidCyberspaceId(x), x);
      }
    });

    it('fromBytes rejects fewer than 15 bytes', () => {
      assert.throws(() => fromBytes(new Uint8Array(0)), RangeError);
      assert.throws(() => fromBytes(new Uint8Array(14)), RangeError);
    });

    it('fromBytes uses only the first 115 bits', () => {
      const bytes = randomBytes(32);
      const id = fromBytes(bytes);
      assert.equal(fromBytes(bytes.subarray(0, 15)), id);
      const tweaked = Uint8Array.from(bytes.subarray(0, 15));
      tweaked[14] = tweaked[14]! ^ 0x1f; // the last 5 bits of byte 15 are not encoded
      assert.equal(fromBytes(tweaked), id);
      tweaked[14] = tweaked[14]! ^ 0x20;
      assert.notEqual(fromBytes(tweaked), id);
    });

    it('checkSymbol rejects malformed payloads', () => {
      assert.throws(() => checkSymbol('0'.repeat(22)), RangeError);
      assert.throws(() => checkSymbol('0'.repeat(24)), RangeError);
      assert.throws(() => checkSymbol('I' + '0'.repeat(22)), RangeError);
    });
  });
});
