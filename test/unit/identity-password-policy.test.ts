import assert from 'node:assert/strict';
import {
  PASSWORD_MAX_CODE_POINTS,
  PASSWORD_MIN_CODE_POINTS,
  checkPassword,
  commonPasswordCount,
} from '../../src/identity/password-policy.js';

const OK = { ok: true };
const err = (error: string) => ({ ok: false, error });

describe('identity/password-policy', () => {
  it('uses ASVS limits: min 8, max 128 code points', () => {
    assert.equal(PASSWORD_MIN_CODE_POINTS, 8);
    assert.equal(PASSWORD_MAX_CODE_POINTS, 128);
  });

  it('loads a common-password list of at least 10,000 entries', () => {
    assert.ok(commonPasswordCount() >= 10_000, String(commonPasswordCount()));
  });

  it('enforces the minimum length in code points, not UTF-16 units', () => {
    assert.deepEqual(checkPassword(''), err('too_short'));
    assert.deepEqual(checkPassword('Tr0ub4d'), err('too_short'));
    assert.deepEqual(checkPassword('Tr0ub4d&'), OK);
    // 4 astral characters = 8 UTF-16 units but only 4 code points.
    assert.deepEqual(checkPassword('𠀀😀𝄞🔑'), err('too_short'));
    assert.deepEqual(checkPassword('𠀀😀𝄞🔑𠀁😁𝄢🔒'), OK);
  });

  it('counts after NFC normalisation', () => {
    // 4 × (e + combining acute) = 8 code points before NFC, 4 after.
    assert.deepEqual(checkPassword('e\u0301x\u0301y\u0301z\u0301'), err('too_short'));
  });

  it('allows 64 and 128 code points, rejects 129 (no silent truncation)', () => {
    const unit = 'kX7#q9Lm';
    assert.deepEqual(checkPassword(unit.repeat(8) + 'a'), OK); // 65
    assert.deepEqual(checkPassword(`${'correct horse battery staple '.repeat(4)}zebra!xyz`.slice(0, 128)), OK);
    const long128 = Array.from({ length: 128 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 37) % 500))).join('');
    assert.equal([...long128].length, 128);
    assert.deepEqual(checkPassword(long128), OK);
    assert.deepEqual(checkPassword(long128 + 'z'), err('too_long'));
    assert.deepEqual(checkPassword('🔑'.repeat(129)), err('too_long'));
  });

  it('imposes no composition rules and allows spaces and Unicode', () => {
    for (const p of ['correct horse battery staple', 'alllowercaseletters', '我的密码是长城脚下的小屋', 'pässwörd ünïcödé', '  leading and trailing  ']) {
      assert.deepEqual(checkPassword(p), OK, p);
    }
  });

  it('does not trim: surrounding spaces count towards the length', () => {
    assert.deepEqual(checkPassword(' Tr0ub4 '), OK);
  });

  it('rejects common passwords case-insensitively', () => {
    for (const p of ['password', 'PASSWORD', 'Password1', 'iloveyou', 'qwertyuiop', '12345678', '1qaz2wsx', 'sunshine', 'baseball', 'p@ssw0rd']) {
      assert.deepEqual(checkPassword(p), err('common'), p);
    }
  });

  it('folds full-width forms when matching the list', () => {
    assert.deepEqual(checkPassword('ｐａｓｓｗｏｒｄ１'), err('common'));
  });

  it('rejects repeats and straight runs that the zxcvbn list omits', () => {
    for (const p of ['88888888', '00000000', 'aaaaaaaaaaaa', '12341234', '123123123', 'qwerqwer', 'a1a1a1a1', 'iloveyouiloveyou',
      'abcdefgh', 'ABCDEFGHIJ', '987654321', '76543210', '一二一二一二一二']) {
      assert.deepEqual(checkPassword(p), err('common'), p);
    }
  });

  it('does not over-reject near-patterns', () => {
    for (const p of ['12345679x', 'abcdefgz', 'kx7qkx7qkx7qkx7qX', 'k1Lm9QzTk1Lm9QzT', 'acegikmo']) {
      assert.deepEqual(checkPassword(p), OK, p);
    }
  });

  it('rejects a password equal to a context value (cyberspace ID, document number)', () => {
    const ctx = ['CID-7F3K-92QX-LM4P', '11010519491231002X'];
    assert.deepEqual(checkPassword('11010519491231002X', ctx), err('contextual'));
    assert.deepEqual(checkPassword('11010519491231002x', ctx), err('contextual'));
    assert.deepEqual(checkPassword('110105 19491231 002X', ctx), err('contextual'));
    assert.deepEqual(checkPassword('１１０１０５１９４９１２３１００２Ｘ', ctx), err('contextual'));
    assert.deepEqual(checkPassword('cid7f3k92qxlm4p', ctx), err('contextual'));
    assert.deepEqual(checkPassword('CID-7F3K-92QX-LM4P', ctx), err('contextual'));
  });

  it('accepts passwords that merely differ from the context values', () => {
    const ctx = ['11010519491231002X'];
    assert.deepEqual(checkPassword('11010519491231002X!', ctx), OK);
    assert.deepEqual(checkPassword('11010519491231002X'), OK);
    assert.deepEqual(checkPassword('11010519491231002X', []), OK);
    assert.deepEqual(checkPassword('Tr0ub4d&', ['', '  ', '-']), OK);
  });

  it('reports length before list membership and context', () => {
    assert.deepEqual(checkPassword('pass', ['pass']), err('too_short'));
    assert.deepEqual(checkPassword('password', ['password']), err('common'));
  });
});
