// Plain sentences for the citizen's activity, notices and connections, in the page's language.
// The routes call these so the views only print strings. Codes the tables do not know (a claim
// or a purpose added later) are shown as the code itself rather than breaking the page.
import { en } from './locales/en.js';
import type { MessageKey, Translate } from './i18n.js';
import type { ActivityItem, LawfulDisclosure } from '../services/activity.js';
import type { AccountNotice } from '../services/account-notices.js';

const known = (key: string): key is MessageKey => Object.hasOwn(en, key);
const label = (t: Translate, prefix: string, code: string) => (known(`${prefix}${code}`) ? t(`${prefix}${code}` as MessageKey) : code);
export const list = (t: Translate, prefix: string, codes: unknown) =>
  (Array.isArray(codes) ? codes : []).map((code) => label(t, prefix, String(code))).join(t('activity.list_separator'));

/**
 * "2026-11-22 11:00 UTC+8": China Standard Time, the service's civil time (ages are computed in
 * it too), with the offset shown so nobody misreads it; every account page uses this.
 */
export const formatWhen = (date: Date) => `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')} UTC+8`;

/** "Firefox on Windows" from a device description code ("Firefox/Windows", web/device-description.ts). */
export function deviceName(t: Translate, code: string): string {
  const [browser = 'other', system = 'other'] = code.split('/');
  return t('device.description', {
    browser: browser === 'other' ? t('device.other_browser') : browser,
    system: system === 'other' ? t('device.other_system') : system,
  });
}

export const claimNames = (t: Translate, claims: readonly string[]) => list(t, 'claim.', claims);

const self = (item: ActivityItem) => item.actor === 'citizen';

function sentence(item: ActivityItem, t: Translate): string {
  const isp = item.ispName ?? '';
  const d = item.details;
  switch (item.type) {
    case 'sign_in.succeeded':
      return item.clientId ? t('activity.sign_in', { isp }) : t('activity.sign_in.account');
    case 'sign_in.failed': {
      const text = item.clientId ? t('activity.sign_in_failed', { isp }) : t('activity.sign_in_failed.account');
      const reason = typeof d.reason_code === 'string' && known(`activity.reason.${d.reason_code}`) ? t(`activity.reason.${d.reason_code}` as MessageKey) : undefined;
      const attempt = reason ? t('activity.with_reason', { text, reason }) : text;
      return typeof d.device === 'string' ? t('activity.from_device', { text: attempt, device: deviceName(t, d.device) }) : attempt;
    }
    case 'consent.granted': return t('activity.consent.granted', { isp });
    case 'consent.denied': return t('activity.consent.denied', { isp });
    case 'claims.released': return t('activity.claims.released', { isp, claims: claimNames(t, (d.claims as string[] | undefined) ?? []) });
    case 'grant.revoked': return self(item) ? t('activity.grant.revoked', { isp }) : t('activity.grant.revoked.other', { isp });
    case 'token.revoked': return t('activity.token.revoked', { isp });
    case 'account.applied': return item.actor === 'guardian' ? t('activity.account.applied.guardian') : t('activity.account.applied');
    case 'account.suspended': return self(item) ? t('activity.account.suspended') : t('activity.account.suspended.operator');
    case 'account.resumed': return self(item) ? t('activity.account.resumed') : t('activity.account.resumed.operator');
    case 'account.cancelled': return t('activity.account.cancelled');
    case 'account.recovered': return t('activity.account.recovered');
    case 'account.recovery_started': return t('activity.account.recovery_started');
    case 'account.recovery_cancelled': return t('activity.account.recovery_cancelled');
    case 'account.password_changed': return t('activity.account.password_changed');
    case 'account.contact_added': return t(item.details.channel === 'sms' ? 'activity.account.contact_added.sms' : 'activity.account.contact_added.email');
    case 'account.contact_removed': return t(item.details.channel === 'sms' ? 'activity.account.contact_removed.sms' : 'activity.account.contact_removed.email');
    case 'account.two_factor_enabled': return t('activity.account.two_factor_enabled');
    case 'account.passkey_added': return t('activity.account.passkey_added');
    case 'account.passkey_removed': return t('activity.account.passkey_removed');
    case 'account.recovery_codes_issued': return t('activity.account.recovery_codes_issued');
    case 'account.recovery_code_used': {
      const text = t('activity.account.recovery_code_used', { count: String(d.count ?? '?') });
      return typeof d.device === 'string' ? t('activity.from_device', { text, device: deviceName(t, d.device) }) : text;
    }
    case 'account.two_factor_disabled':
      return d.reason_code === 'password_recovery' ? t('activity.account.two_factor_disabled.recovery') : t('activity.account.two_factor_disabled');
    case 'guardian.approved': return item.clientId ? t('activity.guardian.connection_approved', { isp }) : t('activity.guardian.approved');
    case 'guardian.refused': return item.clientId ? t('activity.guardian.connection_refused', { isp }) : t('activity.guardian.account_refused');
    case 'guardian.revoked_connection': return t('activity.guardian.revoked_connection', { isp });
    case 'guardian.replaced': return t('activity.guardian.replaced');
    case 'identity.assurance_raised': return t('activity.identity.assurance_raised', { level: label(t, 'activity.level.', String(d.level ?? '')) });
    case 'identity.decrypted': {
      const purpose = label(t, 'activity.purpose.', String(d.purpose ?? ''));
      const fields = list(t, 'activity.field.', d.fields);
      return fields ? t('activity.identity.decrypted', { fields, purpose }) : t('activity.identity.decrypted.nothing', { purpose });
    }
    default: return t('activity.other', { type: item.type });
  }
}

export type ActivityLine = { when: string; at: string; text: string };

export function describeActivity(items: ActivityItem[], t: Translate): ActivityLine[] {
  return items.map((item) => ({ when: formatWhen(item.occurredAt), at: item.occurredAt.toISOString(), text: sentence(item, t) }));
}

export function describeDisclosures(disclosures: LawfulDisclosure[], t: Translate): ActivityLine[] {
  return disclosures.map((d) => ({ when: formatWhen(d.date), at: d.date.toISOString(), text: t('activity.lawful_disclosure', { case: d.caseReference }) }));
}

export function describeNotices(notices: Array<Omit<AccountNotice, 'id'> & { ispName: string | null }>, t: Translate): string[] {
  return notices.map((n) => {
    const vars = { date: formatWhen(n.occurredAt), isp: n.ispName ?? '' };
    if (n.kind === 'new_connection') return t('notice.new_connection', vars);
    if (n.kind === 'failed_sign_in' || n.kind === 'recovery_code_used') {
      const device = deviceName(t, n.device ?? 'other/other');
      if (n.kind === 'recovery_code_used') return t('notice.recovery_code_used', { ...vars, device });
      return n.clientId ? t('notice.failed_sign_in', { ...vars, device }) : t('notice.failed_sign_in.account', { ...vars, device });
    }
    return n.clientId ? t('notice.new_device', vars) : t('notice.new_device.account', vars);
  });
}
