import assert from 'node:assert/strict';
import {
  DOCUMENT_TYPES,
  documentBlindIndexInput,
  isDocumentType,
  normalizeDocumentNumber,
  validateDocumentNumber,
  type DocumentType,
} from '../../src/identity/documents.js';

const NOW = { now: new Date('2024-06-15T04:00:00Z') };

function ok(type: DocumentType, input: string, normalized: string, birth?: string): void {
  assert.deepEqual(validateDocumentNumber(type, input, birth, NOW), { ok: true, normalized }, `${type} ${JSON.stringify(input)}`);
}

function bad(type: DocumentType, input: string, error: string, birth?: string): void {
  assert.deepEqual(validateDocumentNumber(type, input, birth, NOW), { ok: false, error }, `${type} ${JSON.stringify(input)}`);
}

describe('identity/documents', () => {
  it('lists the five document types', () => {
    assert.deepEqual([...DOCUMENT_TYPES], ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent_resident']);
    assert.ok(Object.isFrozen(DOCUMENT_TYPES));
    for (const t of DOCUMENT_TYPES) assert.ok(isDocumentType(t));
    assert.equal(isDocumentType('driving_licence'), false);
    assert.equal(isDocumentType(undefined), false);
  });

  describe('normalizeDocumentNumber', () => {
    it('trims, upper-cases, strips spaces/hyphens and folds full-width forms', () => {
      assert.equal(normalizeDocumentNumber('  e12345678 '), 'E12345678');
      assert.equal(normalizeDocumentNumber('110105-19491231-002x'), '11010519491231002X');
      assert.equal(normalizeDocumentNumber('1101 0519 4912 3100 2X'), '11010519491231002X');
      assert.equal(normalizeDocumentNumber('１１０１０５１９４９１２３１００２ｘ'), '11010519491231002X');
      assert.equal(normalizeDocumentNumber('Ｈ１２３４\u3000５６７８'), 'H12345678');
      assert.equal(normalizeDocumentNumber('H1234\u20135678\u2014'), 'H12345678');
      assert.equal(normalizeDocumentNumber('ｅａ１２３４５６７'), 'EA1234567');
      assert.equal(normalizeDocumentNumber('\t\n'), '');
    });
  });

  describe('validateDocumentNumber', () => {
    it('rejects an unknown type and empty input', () => {
      assert.deepEqual(validateDocumentNumber('visa' as DocumentType, 'E12345678'), { ok: false, error: 'unsupported_type' });
      for (const t of DOCUMENT_TYPES) bad(t, '  - ', 'empty');
    });

    it('resident_id: delegates to the GB 11643-1999 validator after normalising', () => {
      ok('resident_id', '11010519491231002X', '11010519491231002X');
      ok('resident_id', ' 110105 19491231 002x ', '11010519491231002X', '1949-12-31');
      ok('resident_id', '１１０１０５２００００２２９００１３', '110105200002290013', '2000-02-29');
      bad('resident_id', '110105194912310021', 'check');
      bad('resident_id', '11010519491231002X', 'birth_date_mismatch', '1949-12-30');
      bad('resident_id', '1101051949123100', 'length');
      bad('resident_id', '11010519491231002Z', 'characters');
    });

    it('passport: G/E + 8 digits, E + letter + 7 digits, P/D/S + 7 digits', () => {
      ok('passport', 'G12345678', 'G12345678');
      ok('passport', 'e 1234 5678', 'E12345678');
      ok('passport', 'EA1234567', 'EA1234567');
      ok('passport', 'ez9876543', 'EZ9876543');
      ok('passport', 'P1234567', 'P1234567');
      ok('passport', 'D1234567', 'D1234567');
      ok('passport', 'S1234567', 'S1234567');
      for (const n of ['E1234567', 'E123456789', 'G1234567', 'GA1234567', 'EA12345678', 'EA123456', 'P12345678', 'A12345678',
        'H12345678', '12345678', 'E1234567X', 'EÉ1234567']) {
        bad('passport', n, 'format');
      }
    });

    it('passport: the entered birth date is not used (not embedded)', () => {
      ok('passport', 'E12345678', 'E12345678', '1990-01-01');
    });

    it('hk_macao_permit: H or M + 8 or 10 digits', () => {
      ok('hk_macao_permit', 'H12345678', 'H12345678');
      ok('hk_macao_permit', 'm 1234 5678', 'M12345678');
      ok('hk_macao_permit', 'H1234567890', 'H1234567890');
      ok('hk_macao_permit', 'M0123456789', 'M0123456789');
      for (const n of ['H1234567', 'H123456789', 'H123456789012', 'T12345678', '12345678', 'HM1234567', 'H1234567X']) {
        bad('hk_macao_permit', n, 'format');
      }
    });

    it('taiwan_permit: 8 or 10 digits', () => {
      ok('taiwan_permit', '12345678', '12345678');
      ok('taiwan_permit', '1234-5678', '12345678');
      ok('taiwan_permit', '1234567890', '1234567890');
      for (const n of ['1234567', '123456789', '12345678901', 'T12345678', '1234567A']) {
        bad('taiwan_permit', n, 'format');
      }
    });

    describe('foreign_permanent_resident', () => {
      // 2023 format vectors, check characters computed by the resident-id
      // reference implementation (recursive MOD 11-2) and hard-coded here.
      const NEW = ['91184019850312001X', '931250200002290022', '944276197707070031', '94427619770707004X'];

      it('accepts the 2004 format: 3 letters + 12 digits', () => {
        ok('foreign_permanent_resident', 'USA110685031201', 'USA110685031201');
        ok('foreign_permanent_resident', 'gbr 3107 7070 7003', 'GBR310770707003');
        for (const n of ['US1106850312011', 'USA11068503120', 'USA1106850312011', 'US41106850312011', '1SA110685031201']) {
          bad('foreign_permanent_resident', n, 'format');
        }
      });

      it('accepts the 2023 format with a valid MOD 11-2 check', () => {
        for (const n of NEW) ok('foreign_permanent_resident', n, n);
        ok('foreign_permanent_resident', '91184019850312001x', '91184019850312001X', '1985-03-12');
        ok('foreign_permanent_resident', '931250200002290022', '931250200002290022', '2000-02-29');
      });

      it('rejects the 2023 format with a wrong check character', () => {
        bad('foreign_permanent_resident', '911840198503120010', 'check');
        bad('foreign_permanent_resident', '931250200002290023', 'check');
      });

      it('verifies the embedded birth date', () => {
        bad('foreign_permanent_resident', '91184019850312001X', 'birth_date_mismatch', '1985-12-03');
        // 1977-02-30 with a correct check character.
        bad('foreign_permanent_resident', '944276197702300029', 'birth_date_invalid');
      });

      it('rejects other 18-character shapes', () => {
        for (const n of ['11010519491231002X', '8118401985031200 1X', '9118401985031200XX', 'A1184019850312001X']) {
          bad('foreign_permanent_resident', n, 'format');
        }
      });
    });
  });

  describe('documentBlindIndexInput', () => {
    it('builds type-prefixed canonical strings', () => {
      assert.equal(documentBlindIndexInput('resident_id', '11010519491231002X'), 'resident_id:11010519491231002X');
      assert.equal(documentBlindIndexInput('taiwan_permit', '12345678'), 'taiwan_permit:12345678');
      assert.notEqual(documentBlindIndexInput('taiwan_permit', '12345678'), documentBlindIndexInput('passport', '12345678'));
    });

    it('is stable across input spellings once normalised', () => {
      const a = validateDocumentNumber('resident_id', '11010519491231002x');
      const b = validateDocumentNumber('resident_id', ' １１０１０５-１９４９１２３１-００２Ｘ ');
      assert.ok(a.ok && b.ok);
      assert.equal(documentBlindIndexInput('resident_id', a.normalized), documentBlindIndexInput('resident_id', b.normalized));
    });

    it('refuses unnormalised input or an unknown type', () => {
      assert.throws(() => documentBlindIndexInput('passport', 'e12345678'), TypeError);
      assert.throws(() => documentBlindIndexInput('passport', 'E1234 5678'), TypeError);
      assert.throws(() => documentBlindIndexInput('passport', ''), TypeError);
      assert.throws(() => documentBlindIndexInput('visa' as DocumentType, 'E12345678'), TypeError);
    });
  });
});
