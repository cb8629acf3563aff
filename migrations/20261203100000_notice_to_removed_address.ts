// A removed notice address hears once that it was removed (notifications/contacts.ts): the
// contact_removed notice carries a sealed copy of the address (envelope, AAD naming the notice),
// because the citizen_contacts row is gone before the worker delivers. The worker erases the copy
// as soon as the notice is done with, delivered or given up.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notification_outbox', (t) => {
    t.text('removed_address_sealed');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notification_outbox', (t) => {
    t.dropColumn('removed_address_sealed');
  });
}
