// Notifications that reach the citizen outside the site (issue 8, docs/assurance.md "Notices").
// - citizen_contacts: at most one email address and one phone number per citizen. The address is
//   sealed with the envelope (its own data key, AAD naming the row) and found by a blind index
//   (HMAC), like identity data; a confirmation code is kept only as a hash, with its expiry.
// - notification_outbox: the durable outbox. A row is written in the same transaction as the
//   event it tells of, so a crash loses none; the worker delivers it with retries and back-off.
//   `idempotency_key` is unique and travels with every delivery (Message-ID, Idempotency-Key),
//   `delivered_channels` records each channel done, so a retry never sends one twice.
//   `params` hold only times and ISP names — never identity data (the privacy scan checks).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('citizen_contacts', (t) => {
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('channel', 8).notNullable();
    t.text('address_sealed').notNullable();
    t.string('address_index', 64).notNullable();
    t.string('locale', 8).notNullable();
    t.string('code_hash', 64);
    t.timestamp('code_expires_at', { useTz: true });
    t.integer('code_attempts').notNullable().defaultTo(0);
    t.timestamp('confirmed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['citizen_id', 'channel']);
    t.index(['address_index'], 'citizen_contacts_address_idx');
  });
  await knex.raw(`ALTER TABLE citizen_contacts ADD CONSTRAINT citizen_contacts_channel_check CHECK (channel IN ('email', 'sms'))`);
  await knex.schema.createTable('notification_outbox', (t) => {
    t.bigIncrements('id');
    t.string('idempotency_key', 64).notNullable().unique();
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('kind', 40).notNullable();
    t.jsonb('params').notNullable().defaultTo('{}');
    t.string('status', 10).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('delivered_channels').notNullable().defaultTo('[]');
    t.string('last_error', 200);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['status', 'next_attempt_at'], 'notification_outbox_due_idx');
    t.index(['citizen_id'], 'notification_outbox_citizen_idx');
  });
  await knex.raw(`ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification_outbox');
  await knex.schema.dropTable('citizen_contacts');
}
