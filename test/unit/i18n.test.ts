// Locale matching and choice: explicit switch, then ui_locales (OIDC Core §3.1.2.1, space-separated
// BCP 47 tags in order of preference), then Accept-Language (RFC 9110 §12.5.4, q-values), then zh-CN.
import assert from 'node:assert/strict';
import { chooseLocale, matchLocale, translator, DEFAULT_LOCALE } from '../../src/web/i18n.js';

describe('matchLocale', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['en', 'en'],
    ['EN', 'en'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    [' en ', 'en'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh_CN', 'zh-CN'],
    ['en_US', 'en'],
    // Traditional Chinese readers get the Chinese we have rather than English.
    ['zh-TW', 'zh-CN'],
    ['english', undefined],
    ['eng', undefined],
    ['zhx', undefined],
    ['fr', undefined],
    ['*', undefined],
    ['', undefined],
    ['   ', undefined],
    [undefined, undefined],
  ];
  for (const [tag, expected] of cases) {
    it(`${JSON.stringify(tag)} → ${expected ?? 'no match'}`, () => assert.equal(matchLocale(tag), expected));
  }
});

describe('chooseLocale', () => {
  it('defaults to Simplified Chinese', () => {
    assert.equal(DEFAULT_LOCALE, 'zh-CN');
    assert.equal(chooseLocale({}), 'zh-CN');
    assert.equal(chooseLocale({ acceptLanguage: '' }), 'zh-CN');
    assert.equal(chooseLocale({ acceptLanguage: 'fr, de;q=0.5' }), 'zh-CN');
  });

  it('an explicit choice beats ui_locales and Accept-Language', () => {
    assert.equal(chooseLocale({ explicit: 'en', uiLocales: 'zh-CN', acceptLanguage: 'zh-CN' }), 'en');
    assert.equal(chooseLocale({ explicit: 'zh-CN', uiLocales: 'en', acceptLanguage: 'en' }), 'zh-CN');
  });

  it('an unsupported explicit choice is ignored', () => {
    assert.equal(chooseLocale({ explicit: 'fr', uiLocales: 'en' }), 'en');
    assert.equal(chooseLocale({ explicit: '', acceptLanguage: 'en' }), 'en');
  });

  it('ui_locales beats Accept-Language and is read in order, skipping unsupported tags', () => {
    assert.equal(chooseLocale({ uiLocales: 'en', acceptLanguage: 'zh-CN' }), 'en');
    assert.equal(chooseLocale({ uiLocales: 'zh-CN', acceptLanguage: 'en' }), 'zh-CN');
    assert.equal(chooseLocale({ uiLocales: 'fr-CA fr en-US zh', acceptLanguage: 'zh-CN' }), 'en');
    assert.equal(chooseLocale({ uiLocales: 'zh-Hans  en', acceptLanguage: 'en' }), 'zh-CN');
    assert.equal(chooseLocale({ uiLocales: 'fr de', acceptLanguage: 'en' }), 'en', 'falls through to Accept-Language');
    assert.equal(chooseLocale({ uiLocales: '', acceptLanguage: 'en' }), 'en');
  });

  it('Accept-Language is ranked by q-value, then by order', () => {
    assert.equal(chooseLocale({ acceptLanguage: 'en-US,en;q=0.9,zh-CN;q=0.8' }), 'en');
    assert.equal(chooseLocale({ acceptLanguage: 'en;q=0.5, zh-CN;q=0.9' }), 'zh-CN');
    assert.equal(chooseLocale({ acceptLanguage: 'fr-FR, fr;q=0.9, en;q=0.8, zh;q=0.7' }), 'en');
    assert.equal(chooseLocale({ acceptLanguage: 'zh, en' }), 'zh-CN');
    assert.equal(chooseLocale({ acceptLanguage: 'en , zh' }), 'en');
    assert.equal(chooseLocale({ acceptLanguage: 'en ; q=0.3, zh ; q=0.4' }), 'zh-CN');
  });

  it('Accept-Language entries with q=0 or a broken q are refused', () => {
    assert.equal(chooseLocale({ acceptLanguage: 'en;q=0, fr' }), 'zh-CN');
    assert.equal(chooseLocale({ acceptLanguage: 'zh;q=0, en;q=0.1' }), 'en');
    assert.equal(chooseLocale({ acceptLanguage: 'en;q=abc' }), 'zh-CN');
  });
});

describe('translator', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(translator('en')('login.for', { client: 'Shop' }), 'Shop wants you to sign in.');
    assert.equal(translator('zh-CN')('login.for', { client: 'Shop' }), 'Shop 请求您登录。');
    assert.equal(translator('en')('login.for'), '{client} wants you to sign in.');
  });

  it('does not interpret replacement patterns in values', () => {
    assert.equal(translator('en')('login.for', { client: '$& $1 {client}' }), '$& $1 {client} wants you to sign in.');
  });
});
