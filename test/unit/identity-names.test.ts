import assert from 'node:assert/strict';
import { NAME_MAX_CODE_POINTS, validateName } from '../../src/identity/names.js';

function ok(input: string, normalized: string): void {
  assert.deepEqual(validateName(input), { ok: true, normalized }, JSON.stringify(input));
}

function bad(input: string, error: string): void {
  assert.deepEqual(validateName(input), { ok: false, error }, JSON.stringify(input));
}

describe('identity/names', () => {
  it('accepts Chinese names, including one-character and supplementary-plane Han', () => {
    ok('张三', '张三');
    ok('欧阳娜娜', '欧阳娜娜');
    ok('鑫', '鑫');
    ok('王𠀀', '王𠀀'); // U+20000, CJK Extension B
    ok('陈〇', '陈〇'); // U+3007 is Script=Han
  });

  it('accepts Latin names with accents, hyphens, apostrophes and single spaces', () => {
    ok('Zhang San', 'Zhang San');
    ok('José Álvarez', 'José Álvarez');
    ok('Jean-Luc Picard', 'Jean-Luc Picard');
    ok("Shaquille O'Neal", "Shaquille O'Neal");
    ok('Łukasz Żółć', 'Łukasz Żółć');
    ok('Nguyễn Văn A', 'Nguyễn Văn A');
  });

  it('composes decomposed accents with NFC', () => {
    const decomposed = 'Jose\u0301';
    const r = validateName(decomposed);
    assert.deepEqual(r, { ok: true, normalized: 'Jos\u00E9' });
    assert.equal([...(r.ok ? r.normalized : '')].length, 4);
  });

  it('accepts the middle dot and normalises its look-alikes to U+00B7', () => {
    ok('阿沛·阿旺晋美', '阿沛·阿旺晋美');
    ok('阿沛\u30FB阿旺晋美', '阿沛·阿旺晋美');
    ok('阿沛\u2027阿旺晋美', '阿沛·阿旺晋美');
    ok('阿沛\uFF65阿旺晋美', '阿沛·阿旺晋美');
    ok('阿沛\u2022阿旺晋美', '阿沛·阿旺晋美');
    ok('阿沛\u0387阿旺晋美', '阿沛·阿旺晋美'); // Greek ano teleia, NFC → U+00B7
    ok('约翰 · 史密斯', '约翰·史密斯');
  });

  it('normalises apostrophe, hyphen and full-width variants', () => {
    ok('O\u2019Brien', "O'Brien");
    ok('Jean\u2010Luc', 'Jean-Luc');
    ok('Ｊｏｈｎ\u3000Ｓｍｉｔｈ', 'John Smith');
  });

  it('trims and collapses internal whitespace runs', () => {
    ok('  张三  ', '张三');
    ok('John \u00A0  Smith', 'John Smith');
    ok('\tJohn Smith\n', 'John Smith');
    ok('Mary  Jane   Watson', 'Mary Jane Watson');
  });

  it('rejects empty input', () => {
    bad('', 'empty');
    bad('   ', 'empty');
    bad('\u3000\n', 'empty');
  });

  it(`limits length to ${NAME_MAX_CODE_POINTS} code points after normalisation`, () => {
    ok('张'.repeat(64), '张'.repeat(64));
    bad('张'.repeat(65), 'too_long');
    // 64 supplementary-plane characters are 128 UTF-16 units but 64 code points.
    ok('𠀀'.repeat(64), '𠀀'.repeat(64));
    bad('𠀀'.repeat(65), 'too_long');
    // Whitespace collapsed before counting.
    const long = `${'a'.repeat(31)}      ${'b'.repeat(32)}`;
    ok(long, `${'a'.repeat(31)} ${'b'.repeat(32)}`);
    // Decomposed accents are counted after NFC composition.
    ok('e\u0301'.repeat(64), '\u00E9'.repeat(64));
  });

  it('rejects invisible format characters, bidi controls and other default-ignorables', () => {
    const invisibles = [
      '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u00AD',
      '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069',
      '\uFE0F', '\u3164', '\u{E0041}',
    ];
    for (const c of invisibles) {
      bad(`张${c}三`, 'invisible');
      bad(`${c}John`, 'invisible');
    }
    bad('\uFEFF张三', 'invisible'); // BOM is not silently trimmed
  });

  it('rejects control characters, including inner newlines and tabs', () => {
    for (const c of ['\u0000', '\u0007', '\u001B', '\u007F', '\u0085', '\n', '\t', '\r']) {
      bad(`张${c}三`, 'characters');
    }
  });

  it('rejects digits, punctuation, symbols, emoji and private use', () => {
    for (const n of ['张三1', 'John2', '张三３', 'Louis XIV.', 'A&B', 'John_Smith', '张三!', '张三。', '李四😀',
      '👨‍👩‍👧', '王\uE000', 'Ⅻ', '張@三', '王/李', '王（三）', '王,三']) {
      bad(n, n === '👨‍👩‍👧' ? 'invisible' : 'characters');
    }
  });

  it('rejects other scripts and look-alike compatibility characters', () => {
    for (const n of ['Иван', 'Jоhn' /* Cyrillic о */, 'Σωκράτης', '김철수', 'やまだ', 'محمد',
      '\u2F00\u2F06' /* Kangxi radicals ⼀⼆ */, '\uFB01nn' /* ﬁ ligature */, 'ªna', 'ʰa']) {
      bad(n, 'characters');
    }
  });

  it('rejects combining marks that NFC cannot compose', () => {
    bad('q\u0303', 'characters');
    bad('张\u0301', 'characters');
    bad('\u0301A', 'characters');
  });

  it('rejects separators at the edges, doubled, or in the wrong context', () => {
    for (const n of ['·张三', '张三·', '张··三', '-John', 'John-', 'Jean--Luc', "'John", "John'", "O''Neal",
      '张-三', "张'三", 'Jean -Luc', 'Jean- Luc', 'Jean·-Luc', '-', '·']) {
      bad(n, 'characters');
    }
  });

  it('allows mixing Han and Latin and a middle dot between Latin parts', () => {
    ok('张Wei', '张Wei');
    ok('Mary·Smith', 'Mary·Smith');
  });
});
