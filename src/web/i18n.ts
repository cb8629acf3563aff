// Locale choice and message lookup. Order: explicit switch (?lang= or the language cookie),
// then OIDC ui_locales (Core §3.1.2.1), then Accept-Language, then zh-CN.
import { en, type MessageKey } from './locales/en.js';
import { zhCN } from './locales/zh-CN.js';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
const tables: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function matchLocale(tag: string | undefined): Locale | undefined {
  // Underscores are not BCP 47, but some clients send POSIX-style tags (zh_CN).
  const lower = tag?.trim().toLowerCase().replaceAll('_', '-');
  if (!lower) return undefined;
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  if (lower === 'zh' || lower.startsWith('zh-cn') || lower.startsWith('zh-hans') || lower.startsWith('zh-')) return 'zh-CN';
  return undefined;
}

function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header.split(',').map((part, index) => {
    const [tag, ...params] = part.trim().split(';');
    const q = params.find((p) => p.trim().startsWith('q='));
    return { tag, q: q ? Number(q.trim().slice(2)) : 1, index };
  }).filter((entry) => entry.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}

export function chooseLocale(sources: { explicit?: string; uiLocales?: string; acceptLanguage?: string }): Locale {
  const explicit = matchLocale(sources.explicit);
  if (explicit) return explicit;
  for (const tag of sources.uiLocales?.split(' ') ?? []) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return fromAcceptLanguage(sources.acceptLanguage) ?? DEFAULT_LOCALE;
}

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function translator(locale: Locale): Translate {
  const table = tables[locale];
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => vars?.[name] ?? `{${name}}`);
}

export type { MessageKey };
