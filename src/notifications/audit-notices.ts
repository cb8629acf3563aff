// Which audited account events the citizen is told about by email and SMS. The services that
// record them (credentials, two-factor, passkeys, lifecycle) have no transaction of their own, so the
// notice is written right after the audit entry; each kind's text is in the locale tables.
import type { NotificationKind } from './kinds.js';

export const NOTICE_FOR_EVENT: Readonly<Record<string, NotificationKind>> = {
  'account.password_changed': 'password_changed',
  'account.two_factor_enabled': 'second_factor_added',
  'account.two_factor_disabled': 'second_factor_removed',
  'account.passkey_added': 'passkey_added',
  'account.passkey_removed': 'passkey_removed',
  'account.suspended': 'account_suspended',
  'account.cancelled': 'account_cancelled',
};
