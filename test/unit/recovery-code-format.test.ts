// The recovery code format (src/sign-in/recovery-codes.ts): ten different codes of 8 Crockford
// base32 symbols shown as xxxx-xxxx, and forgiving entry (case, spaces, hyphens, look-alikes).
import assert from 'node:assert/strict';
import { CODE_COUNT, generateCodes, normalizeCode } from '../../src/sign-in/recovery-codes.js';

describe('recovery code format', () => {
  it('makes ten different codes of 8 unambiguous symbols, grouped in fours', () => {
    const codes = generateCodes();
    assert.equal(codes.length, CODE_COUNT);
    assert.equal(new Set(codes).size, CODE_COUNT);
    for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  it('uses the whole alphabet (a CSPRNG pick over 32 symbols, not a skewed one)', () => {
    const seen = new Set(generateCodes(200).join('').replaceAll('-', ''));
    assert.equal(seen.size, 32);
  });

  it('reads a code typed loosely: case, spaces, hyphens, o/i/l for 0/1/1', () => {
    assert.equal(normalizeCode('7k2m-q9xa'), '7k2mq9xa');
    assert.equal(normalizeCode(' 7K2M Q9XA '), '7k2mq9xa');
    assert.equal(normalizeCode('o1ab-il0c'), '01ab110c');
    assert.equal(normalizeCode('O1AB-IL0C'), '01ab110c');
  });

  it('refuses what cannot be a code', () => {
    for (const typed of ['', '7k2m-q9x', '7k2m-q9xab', '7k2m-q9xu', 'abcd_efgh', 42, undefined, 'x'.repeat(41)]) {
      assert.equal(normalizeCode(typed), undefined, String(typed));
    }
  });
});
