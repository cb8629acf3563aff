// Notices the citizen sees at their next visit to the dashboard: a first sign-in at an ISP (a new
// connection), a sign-in from a device not seen before, failed sign-in attempts on the account
// and a recovery code used (with a rough device description, never a location). Each is recorded when it happens
// (sign-in, authorization), never worked out by comparing state at display time, and stays on
// the dashboard until the citizen dismisses it: a notice that vanished after one glance, perhaps
// on someone else's screen, would tell the citizen nothing.
import type { Knex } from 'knex';
import type { AccountNoticeQueries, NoticeKind } from '../queries/account-notices.js';

export type AccountNotice = { id: string; kind: NoticeKind; clientId: string | null; device?: string | null; occurredAt: Date };

export function createAccountNotices(queries: AccountNoticeQueries) {
  const toNotice = (row: { id: string; kind: NoticeKind; client_id: string | null; device: string | null; occurred_at: Date }): AccountNotice =>
    ({ id: row.id, kind: row.kind, clientId: row.client_id, device: row.device ?? null, occurredAt: row.occurred_at });
  return {
    newConnection: (citizenId: string, clientId: string) => queries.insertNotice(citizenId, 'new_connection', clientId),
    /** `clientId`: the ISP the citizen was signing in to; absent for the account pages. */
    newDevice: (citizenId: string, clientId?: string, trx?: Knex.Transaction) => queries.insertNotice(citizenId, 'new_device', clientId ?? null, null, trx),
    /** Someone tried to sign in as the citizen and failed (`device`: a rough description). */
    failedSignIn: (citizenId: string, device: string, clientId?: string) => queries.insertNotice(citizenId, 'failed_sign_in', clientId ?? null, device),
    /** `trx`: the use's transaction (recovery-codes.ts), so the notice commits with it. */
    recoveryCodeUsed: (citizenId: string, device: string, clientId?: string, trx?: Knex.Transaction) => queries.insertNotice(citizenId, 'recovery_code_used', clientId ?? null, device, trx),
    /** The notices not yet dismissed, oldest first (the dashboard and the data export). */
    async pending(citizenId: string): Promise<AccountNotice[]> {
      return (await queries.listUnseenNotices(citizenId)).map(toNotice);
    },
    /** False when the id is not one of this citizen's pending notices (nothing changes). */
    dismiss: (citizenId: string, noticeId: string) => /^[1-9][0-9]{0,18}$/.test(noticeId) ? queries.dismissNotice(citizenId, noticeId) : Promise.resolve(false),
    dismissAll: (citizenId: string) => queries.dismissAllNotices(citizenId),
  };
}

export type AccountNotices = ReturnType<typeof createAccountNotices>;
