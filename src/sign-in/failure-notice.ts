// The owner hears of failed attempts on their account: a notice on the dashboard with the time
// and a rough device description (never a location), at most one per account per hour so a
// flood of guesses is one notice, not a thousand. The activity lists every attempt.
import { createHash } from 'node:crypto';
import type { CounterStore } from '../storage/model-store.js';
import type { AccountNotices } from '../services/account-notices.js';
import type { Attempt } from './sequence.js';

/** Reasons that mean "someone without the credentials tried"; not the owner's own states. */
const ATTEMPTS_ON_ACCOUNT = new Set(['invalid_credentials', 'throttled', 'invalid_code', 'replayed_code', 'invalid_recovery_code']);
const NOTICE_EVERY_SECONDS = 3600;

export function createFailureNotice(deps: { store: CounterStore; notices: Pick<AccountNotices, 'failedSignIn'> }) {
  return async (citizenId: string, attempt: Attempt, reason: string): Promise<void> => {
    if (!ATTEMPTS_ON_ACCOUNT.has(reason)) return;
    const key = `signin-notice:${createHash('sha256').update(citizenId).digest('base64url')}`;
    if (await deps.store.setIfAbsent(key, NOTICE_EVERY_SECONDS)) await deps.notices.failedSignIn(citizenId, attempt.device.description, attempt.clientId);
  };
}
