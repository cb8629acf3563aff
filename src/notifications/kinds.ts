// What the citizen can be told about outside the site, and what a notice may carry. A notice
// never carries identity data (issue 8): its parameters are only times and an ISP's name,
// checked here before anything is written, so no caller can put a name or number in an outbox row.
// The ISP's name is kept in every language (client-names.ts): the notice is written before it is
// known which address, in which language, it will reach.
import { LOCALES, type Locale } from '../web/i18n.js';
export const NOTIFICATION_KINDS = [
  'recovery_started', 'recovery_completed', 'recovery_cancelled',
  'second_factor_added', 'second_factor_removed',
  'recovery_codes_created', 'recovery_code_used', 'recovery_codes_low',
  'passkey_added', 'passkey_removed',
  'password_changed', 'new_device', 'guardian_request', 'lawful_access_disclosed',
  'account_suspended', 'account_resumed', 'account_cancelled', 'contact_removed',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** An ISP's display name by language; a plain string in rows written before names were kept per language. */
export type IspName = string | Partial<Record<Locale, string>>;

/** `at`, `until`: ISO 8601 times; `isp`: an internet service's display name. */
export type NotificationParams = { at?: string; until?: string; isp?: IspName };

const TIME_KEYS = new Set(['at', 'until']);
const MAX_ISP_NAME = 100;

export const isNotificationKind = (kind: string): kind is NotificationKind => (NOTIFICATION_KINDS as readonly string[]).includes(kind);

/** The parameters as stored, or an Error naming what is not allowed (a programming mistake). */
export function checkParams(params: Record<string, unknown>): NotificationParams {
  const checked: Record<string, string | IspName> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (key === 'isp') {
      checked.isp = checkIspName(value);
      continue;
    }
    if (typeof value !== 'string') throw new Error(`notification parameter ${key} must be a string`);
    if (!TIME_KEYS.has(key)) throw new Error(`notification parameter ${key} is not allowed (only at, until, isp)`);
    if (Number.isNaN(Date.parse(value))) throw new Error(`notification parameter ${key} must be an ISO time`);
    checked[key] = value;
  }
  return checked;
}

function checkIspName(value: unknown): IspName {
  const names = typeof value === 'string' ? { en: value } : value;
  if (!names || typeof names !== 'object' || Array.isArray(names)) throw new Error('notification parameter isp must be a name or names by language');
  for (const [locale, name] of Object.entries(names)) {
    if (!(LOCALES as readonly string[]).includes(locale)) throw new Error(`notification parameter isp has an unknown language ${locale}`);
    if (typeof name !== 'string' || name.length > MAX_ISP_NAME) throw new Error('notification parameter isp must be names of at most 100 characters');
  }
  return value as IspName;
}

/** The ISP's name for a reader of `locale`: theirs if kept, else the untagged (English) one. */
export function ispNameIn(isp: IspName, locale: Locale): string | undefined {
  return typeof isp === 'string' ? isp : isp[locale] ?? isp.en;
}
