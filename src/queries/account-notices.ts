// SQL for the account_notices table (schema: migrations/20261123010000_known_devices_and_notices.ts).
import type { Knex } from 'knex';

export type NoticeKind = 'new_connection' | 'new_device' | 'failed_sign_in' | 'recovery_code_used';

export type AccountNoticeRow = {
  id: string;
  citizen_id: string;
  kind: NoticeKind;
  client_id: string | null;
  /** A rough device description ("Firefox/Windows") for sign-in security notices. */
  device: string | null;
  occurred_at: Date;
  /** When the citizen dismissed it; until then the dashboard shows it at every visit. */
  seen_at: Date | null;
};

// pg returns bigint as a string; PGlite may return a number.
const toRow = (raw: Record<string, unknown>): AccountNoticeRow => ({
  ...(raw as AccountNoticeRow),
  id: String(raw.id),
  occurred_at: new Date(raw.occurred_at as Date | string),
  seen_at: raw.seen_at ? new Date(raw.seen_at as Date | string) : null,
});

/** The caller's transaction (services/account-events.ts), or the pool. */
type Db = Knex | Knex.Transaction;

export function createAccountNoticeQueries(knex: Knex) {
  return {
    async deleteNoticesOf(citizenId: string, db: Db = knex): Promise<void> {
      await db('account_notices').where({ citizen_id: citizenId }).delete();
    },
    async insertNotice(citizenId: string, kind: NoticeKind, clientId: string | null, device: string | null = null, db: Db = knex): Promise<void> {
      await db('account_notices').insert({ citizen_id: citizenId, kind, client_id: clientId, device });
    },
    /** Marks one notice seen (dismissed); false when it is not this citizen's or already seen. */
    async dismissNotice(citizenId: string, noticeId: string): Promise<boolean> {
      const count = await knex('account_notices').where({ citizen_id: citizenId, id: noticeId }).whereNull('seen_at').update({ seen_at: knex.fn.now() });
      return count > 0;
    },
    async dismissAllNotices(citizenId: string): Promise<number> {
      return knex('account_notices').where({ citizen_id: citizenId }).whereNull('seen_at').update({ seen_at: knex.fn.now() });
    },
    async listUnseenNotices(citizenId: string): Promise<AccountNoticeRow[]> {
      const rows = await knex('account_notices').where({ citizen_id: citizenId }).whereNull('seen_at').orderBy('occurred_at');
      return (rows as Array<Record<string, unknown>>).map(toRow);
    },
  };
}

export type AccountNoticeQueries = ReturnType<typeof createAccountNoticeQueries>;
