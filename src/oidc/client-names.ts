// An ISP's name (and legal basis) in the citizen's language. OpenID Connect Registration §2.1
// lets human-readable metadata carry a language tag: `client_name#zh-CN` next to the untagged
// `client_name`. Chinese pages show the zh-CN name when the ISP registered one, else the
// untagged name; English pages the untagged one. The zh-CN legal basis is operator metadata,
// like the untagged one (client-metadata.ts).
import { LOCALES, type Locale } from '../web/i18n.js';

export const CLIENT_NAME_ZH_PROPERTY = 'client_name#zh-CN';
export const LEGAL_BASIS_ZH_PROPERTY = 'cyberid_legal_basis#zh-CN';

type ClientLike = Record<string, unknown> & { clientName?: unknown };

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);

/** The name to show a citizen reading `locale`; `fallback` (the client id) when none is registered. */
export function clientDisplayName(client: ClientLike | undefined, locale: Locale, fallback: string): string {
  const untagged = text(client?.clientName) ?? text(client?.client_name);
  if (locale === 'zh-CN') return text(client?.[CLIENT_NAME_ZH_PROPERTY]) ?? untagged ?? fallback;
  return untagged ?? fallback;
}

/** The name in every language, for what is written before the reader's language is known (a notice). */
export function clientDisplayNames(client: ClientLike | undefined, fallback: string): Record<Locale, string> {
  return Object.fromEntries(LOCALES.map((locale) => [locale, clientDisplayName(client, locale, fallback)])) as Record<Locale, string>;
}

/** The legal basis in `locale` (zh-CN when registered, else the untagged text). */
export function legalBasisText(untagged: string | undefined, client: ClientLike | undefined, locale: Locale): string | undefined {
  if (locale === 'zh-CN') return text(client?.[LEGAL_BASIS_ZH_PROPERTY]) ?? untagged;
  return untagged;
}
