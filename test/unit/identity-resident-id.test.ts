import assert from 'node:assert/strict';
import {
  parseEmbeddedBirthDate,
  residentIdCheckCharacter,
  validateResidentId,
} from '../../src/identity/resident-id.js';

/**
 * Independent reference for ISO/IEC 7064 MOD 11-2, deliberately using the
 * standard's *recursive* (Horner) formulation instead of the weight table in
 * the implementation: P := ((P + a_i) * 2) mod 11 over the 17 digits, then
 * the check C satisfies (P + C) mod 11 = 1.
 */
function referenceCheck(first17: string): string {
  let p = 0;
  for (const c of first17) p = ((p + c.charCodeAt(0) - 48) * 2) % 11;
  const c = (12 - p) % 11;
  return c === 10 ? 'X' : String(c);
}

/** The full-number verification equation: Σ a_i·2^(18-i) ≡ 1 (mod 11), X = 10. */
function satisfiesCheckEquation(id18: string): boolean {
  let sum = 0n;
  for (let i = 0; i < 18; i++) {
    const ch = id18[i]!;
    const a = ch === 'X' ? 10n : BigInt(ch);
    sum += a * 2n ** BigInt(17 - i);
  }
  return sum % 11n === 1n;
}

// Fixed "today" so the future-date rule is deterministic: 2024-06-15 12:00 CST.
const NOW = new Date('2024-06-15T04:00:00Z');

const VALID: Array<{ id: string; birth: string; sex: 'male' | 'female'; note: string }> = [
  { id: '11010519491231002X', birth: '1949-12-31', sex: 'female', note: 'GB 11643-1999 example' },
  { id: '110105200002290013', birth: '2000-02-29', sex: 'male', note: 'leap day, 400-year rule' },
  { id: '11010519000101001X', birth: '1900-01-01', sex: 'male', note: 'earliest date, X check' },
  { id: '110105200402290039', birth: '2004-02-29', sex: 'male', note: 'leap day, 4-year rule' },
  { id: '44030519900101123X', birth: '1990-01-01', sex: 'male', note: 'Shenzhen, X check' },
  { id: '31010419881123002X', birth: '1988-11-23', sex: 'female', note: 'Shanghai, X check' },
  { id: '810000199506150017', birth: '1995-06-15', sex: 'male', note: 'HK residence permit 810000' },
];

describe('identity/resident-id', () => {
  describe('residentIdCheckCharacter', () => {
    it('matches the hard-coded and independently computed check of every vector', () => {
      for (const v of VALID) {
        const first17 = v.id.slice(0, 17);
        assert.equal(referenceCheck(first17), v.id[17], `reference disagrees on ${v.note}`);
        assert.ok(satisfiesCheckEquation(v.id), `equation fails on ${v.note}`);
        assert.equal(residentIdCheckCharacter(first17), v.id[17], v.note);
      }
    });

    it('agrees with the reference on many pseudo-random inputs (all 11 check values)', () => {
      let seed = 12345;
      const seen = new Set<string>();
      for (let n = 0; n < 2000; n++) {
        let s = '';
        for (let i = 0; i < 17; i++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          s += String(seed % 10);
        }
        const c = residentIdCheckCharacter(s);
        assert.equal(c, referenceCheck(s), s);
        assert.ok(satisfiesCheckEquation(s + c), s);
        seen.add(c);
      }
      assert.equal(seen.size, 11);
    });

    it('rejects input that is not exactly 17 ASCII digits', () => {
      for (const bad of ['', '1101051949123100', '110105194912310021', '1101051949123100a', '１１０１０５１９４９１２３１００２']) {
        assert.throws(() => residentIdCheckCharacter(bad), TypeError);
      }
    });
  });

  describe('validateResidentId', () => {
    for (const v of VALID) {
      it(`accepts ${v.id} (${v.note})`, () => {
        assert.deepEqual(validateResidentId(v.id, undefined, { now: NOW }), {
          ok: true, normalized: v.id, birthDate: v.birth, sex: v.sex,
        });
        assert.deepEqual(validateResidentId(v.id, v.birth, { now: NOW }), {
          ok: true, normalized: v.id, birthDate: v.birth, sex: v.sex,
        });
      });
    }

    it('accepts a lowercase x and normalises it to X', () => {
      const r = validateResidentId('11010519491231002x', '1949-12-31', { now: NOW });
      assert.deepEqual(r, { ok: true, normalized: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' });
    });

    it('works with the real clock by default', () => {
      assert.equal(validateResidentId('11010519491231002X').ok, true);
    });

    it('rejects wrong length', () => {
      for (const bad of ['', '11010519491231002', '11010519491231002X0', ' 11010519491231002X', '110105491231002']) {
        assert.deepEqual(validateResidentId(bad), { ok: false, error: 'length' }, JSON.stringify(bad));
      }
    });

    it('rejects non-digit characters and X anywhere but the end', () => {
      for (const bad of ['X10105194912310021', '1101051949123100XX', '11010519491231002Y', '１１０１０５１９４９１２３１００２Ｘ'.slice(0, 18), '1101051949-231002X']) {
        assert.deepEqual(validateResidentId(bad), { ok: false, error: 'characters' }, bad);
      }
    });

    it('rejects every wrong check character', () => {
      for (const c of '0123456789') {
        assert.deepEqual(validateResidentId(`11010519491231002${c}`), { ok: false, error: 'check' });
      }
      assert.deepEqual(validateResidentId('110105200002290014'), { ok: false, error: 'check' });
    });

    it('detects single-digit typos and adjacent transpositions via the check', () => {
      const id = '110105200402290039';
      const swapped = id.slice(0, 8) + id[9]! + id[8]! + id.slice(10); // '04' → '40'
      assert.deepEqual(validateResidentId(swapped), { ok: false, error: 'check' });
      const typo = '110106200402290039';
      assert.deepEqual(validateResidentId(typo), { ok: false, error: 'check' });
    });

    const withCheck = (first17: string) => first17 + referenceCheck(first17);

    it('rejects impossible calendar dates even with a correct check', () => {
      for (const d of ['19000229', '20010229', '21000229', '20240230', '20240431', '20241301', '20240001', '20240100', '20240132']) {
        const id = withCheck(`110105${d}001`);
        assert.deepEqual(validateResidentId(id, undefined, { now: new Date('2200-01-01T00:00:00Z') }),
          { ok: false, error: 'birth_date_invalid' }, d);
      }
    });

    it('rejects dates before 1900', () => {
      assert.deepEqual(validateResidentId(withCheck('11010518991231001')), { ok: false, error: 'birth_date_invalid' });
      assert.deepEqual(validateResidentId(withCheck('11010508880808001')), { ok: false, error: 'birth_date_invalid' });
    });

    it('rejects future birth dates, judging "today" in China time (UTC+8)', () => {
      const today = withCheck('11010520240615001');
      const tomorrow = withCheck('11010520240616001');
      assert.equal(validateResidentId(today, undefined, { now: NOW }).ok, true);
      assert.deepEqual(validateResidentId(tomorrow, undefined, { now: NOW }), { ok: false, error: 'birth_date_invalid' });
      // 2024-06-15T16:30Z is already 2024-06-16 00:30 in Beijing.
      assert.equal(validateResidentId(tomorrow, undefined, { now: new Date('2024-06-15T16:30:00Z') }).ok, true);
      assert.deepEqual(validateResidentId(tomorrow, undefined, { now: new Date('2024-06-15T15:59:59Z') }),
        { ok: false, error: 'birth_date_invalid' });
    });

    it('requires the entered birth date to equal the embedded one', () => {
      const id = '110105200002290013';
      for (const entered of ['2000-02-28', '2000-03-01', '20000229', '2000-2-29', '', '2000-02-29 ']) {
        assert.deepEqual(validateResidentId(id, entered, { now: NOW }), { ok: false, error: 'birth_date_mismatch' }, entered);
      }
    });

    it('rejects implausible region codes', () => {
      for (const region of ['000000', '100101', '160101', '240101', '380101', '470101', '550101', '660101', '720101', '840101', '900101', '990101', '110000', '440000', '710000']) {
        const id = withCheck(`${region}19900101001`);
        assert.deepEqual(validateResidentId(id, undefined, { now: NOW }), { ok: false, error: 'region' }, region);
      }
    });

    it('accepts every listed province prefix and the HK/Macao/Taiwan permit codes', () => {
      const prefixes = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
        '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83', '91'];
      for (const p of prefixes) {
        assert.equal(validateResidentId(withCheck(`${p}010119900101001`), undefined, { now: NOW }).ok, true, p);
      }
      for (const code of ['810000', '820000', '830000']) {
        assert.equal(validateResidentId(withCheck(`${code}19900101002`), undefined, { now: NOW }).ok, true, code);
      }
    });

    it('derives sex from the parity of the 17th digit', () => {
      for (let d = 0; d <= 9; d++) {
        const r = validateResidentId(withCheck(`1101051990010100${d}`), undefined, { now: NOW });
        assert.ok(r.ok);
        assert.equal(r.sex, d % 2 === 1 ? 'male' : 'female');
      }
    });
  });

  describe('parseEmbeddedBirthDate', () => {
    it('formats valid dates and rejects malformed ones', () => {
      assert.equal(parseEmbeddedBirthDate('19000101', NOW), '1900-01-01');
      assert.equal(parseEmbeddedBirthDate('20000229', NOW), '2000-02-29');
      assert.equal(parseEmbeddedBirthDate('19000229', NOW), null);
      assert.equal(parseEmbeddedBirthDate('2000229', NOW), null);
      assert.equal(parseEmbeddedBirthDate('2000022a', NOW), null);
      assert.equal(parseEmbeddedBirthDate('20240616', NOW), null);
    });
  });
});
