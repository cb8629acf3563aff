// When the subject of a revealed lawful access was told of it by email/SMS (once its embargo
// passed): the hourly job (notifications/disclosure-notices.ts) tells each subject exactly once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('lawful_access_requests', (t) => {
    t.timestamp('subject_notified_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('lawful_access_requests', (t) => {
    t.dropColumn('subject_notified_at');
  });
}
