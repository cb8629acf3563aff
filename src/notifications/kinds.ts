// What the citizen can be told about outside the site, and what a notice may carry. A notice
// never carries identity data (issue 8): its parameters are only times and an ISP's name,
// checked here before anything is written, so no caller can put a name or number in an outbox row.
export const NOTIFICATION_KINDS = [
  'recovery_started', 'recovery_completed', 'recovery_cancelled',
  'second_factor_added', 'second_factor_removed',
  'recovery_codes_created', 'recovery_code_used', 'recovery_codes_low',
  'passkey_added', 'passkey_removed',
  'password_changed', 'new_device', 'guardian_request', 'lawful_access_disclosed',
  'account_suspended', 'account_resumed', 'account_cancelled',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `at`, `until`: ISO 8601 times; `isp`: an internet service's display name. */
export type NotificationParams = { at?: string; until?: string; isp?: string };

const TIME_KEYS = new Set(['at', 'until']);
const MAX_ISP_NAME = 100;

export const isNotificationKind = (kind: string): kind is NotificationKind => (NOTIFICATION_KINDS as readonly string[]).includes(kind);

/** The parameters as stored, or an Error naming what is not allowed (a programming mistake). */
export function checkParams(params: Record<string, unknown>): NotificationParams {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new Error(`notification parameter ${key} must be a string`);
    if (TIME_KEYS.has(key)) {
      if (Number.isNaN(Date.parse(value))) throw new Error(`notification parameter ${key} must be an ISO time`);
    } else if (key === 'isp') {
      if (value.length > MAX_ISP_NAME) throw new Error('notification parameter isp is too long');
    } else {
      throw new Error(`notification parameter ${key} is not allowed (only at, until, isp)`);
    }
    checked[key] = value;
  }
  return checked;
}
