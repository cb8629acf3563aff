// Which audited account events the citizen is told about by email and SMS. The notice is written
// in the transaction of the event and its audit entry (services/account-events.ts), so one never
// commits without the other; each kind's text is in the locale tables.
import type { NotificationKind } from './kinds.js';

export const NOTICE_FOR_EVENT: Readonly<Record<string, NotificationKind>> = {
  'account.password_changed': 'password_changed',
  'account.recovery_started': 'recovery_started',
  'account.recovered': 'recovery_completed',
  'account.recovery_cancelled': 'recovery_cancelled',
  'account.two_factor_enabled': 'second_factor_added',
  'account.two_factor_disabled': 'second_factor_removed',
  'account.passkey_added': 'passkey_added',
  'account.passkey_removed': 'passkey_removed',
  'account.recovery_codes_issued': 'recovery_codes_created',
  'account.recovery_code_used': 'recovery_code_used',
  'account.suspended': 'account_suspended',
  'account.resumed': 'account_resumed',
  'account.cancelled': 'account_cancelled',
  // To the remaining addresses, and once to the removed one (a sealed copy, contacts.ts).
  'account.contact_removed': 'contact_removed',
};
