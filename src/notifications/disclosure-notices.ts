// Telling the subject of a lawful access once its embargo has passed (issue 8): the same moment
// it appears in their activity (services/lawful-access.ts disclosuresVisibleTo), they get one
// email/SMS saying so — never the case or the authority, only that it can now be seen. Each
// instance runs this hourly (main.ts); the claim and the outbox entry share a transaction, so a
// crash tells nobody twice and nobody never.
import type { Knex } from 'knex';
import type { LawfulAccessQueries } from '../queries/lawful-access.js';
import { chinaDate } from '../services/lawful-access-model.js';
import type { Notify } from './notifier.js';

const BATCH = 100;

type Dependencies = {
  knex: Knex;
  queries: Pick<LawfulAccessQueries, 'claimUntoldDisclosures'>;
  notify: Notify;
  now?: () => Date;
};

export function createDisclosureNotices({ knex, queries, notify, now = () => new Date() }: Dependencies) {
  return {
    /** Queues a notice for every disclosure that became visible; how many were queued. */
    async notifyEndedEmbargoes(): Promise<number> {
      let total = 0;
      for (;;) {
        const at = now();
        const count = await knex.transaction(async (trx) => {
          const due = await queries.claimUntoldDisclosures(trx, chinaDate(at), BATCH);
          for (const row of due) {
            await notify(trx, row.citizen_id, 'lawful_access_disclosed', { at: at.toISOString() }, { idempotencyKey: `lawful-access-disclosed.${row.id}` });
          }
          return due.length;
        });
        total += count;
        if (count < BATCH) return total;
      }
    },
  };
}

export type DisclosureNotices = ReturnType<typeof createDisclosureNotices>;
