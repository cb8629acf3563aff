// Renders a notice in the citizen's language. Times are shown in China Standard Time with the
// zone named; the text comes only from the translation tables and the notice's checked params.
import { translator, type Locale, type MessageKey } from '../web/i18n.js';
import { ispNameIn, type NotificationKind, type NotificationParams } from './kinds.js';

const ZONE = 'Asia/Shanghai';
/** Kinds whose text names the ISP when the notice carries its name. */
const NAMES_ISP: ReadonlySet<NotificationKind> = new Set(['new_device', 'guardian_request']);

export function formatTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: ZONE, timeZoneName: 'short' }).format(new Date(iso));
}

export function renderNotice(kind: NotificationKind, params: NotificationParams, locale: Locale, createdAt: Date): { subject: string; text: string } {
  const t = translator(locale);
  const vars: Record<string, string> = { at: formatTime(params.at ?? createdAt.toISOString(), locale) };
  if (params.until) vars.until = formatTime(params.until, locale);
  const isp = params.isp && ispNameIn(params.isp, locale);
  if (isp) vars.isp = isp;
  const body = (isp && NAMES_ISP.has(kind) ? `notify.${kind}_isp.body` : `notify.${kind}.body`) as MessageKey;
  return { subject: t(`notify.${kind}.subject` as MessageKey), text: `${t(body, vars)}\n\n${t('notify.footer')}` };
}

/** The one message not sent through the outbox: a confirmation code, sent while the citizen waits. */
export function renderContactCode(code: string, locale: Locale): { subject: string; text: string } {
  const t = translator(locale);
  return { subject: t('notify.contact_code.subject'), text: t('notify.contact_code.body', { code }) };
}
