// Known devices and account notices (the citizen's dashboard, "Notices").
// - known_devices: one row per citizen and browser that signed in. The browser holds a random
//   token in an HttpOnly cookie; only HMAC(key, citizen id ‖ token) is stored, so a dump of this
//   table neither yields a usable cookie nor shows that two citizens used the same browser.
// - account_notices: events the citizen is told about at their next visit (a first sign-in at an
//   ISP, a sign-in from a new device); recorded when they happen, marked seen once shown.
// No identity data in either table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('known_devices', (t) => {
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('device_hash', 64).notNullable();
    t.integer('sign_in_count').notNullable().defaultTo(1);
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['citizen_id', 'device_hash']);
  });
  await knex.schema.createTable('account_notices', (t) => {
    t.bigIncrements('id');
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('kind', 32).notNullable();
    t.string('client_id', 64);
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('seen_at', { useTz: true });
    t.index(['citizen_id', 'occurred_at'], 'account_notices_citizen_idx');
  });
  await knex.raw(`ALTER TABLE account_notices ADD CONSTRAINT account_notices_kind_check
    CHECK (kind IN ('new_connection', 'new_device'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_notices');
  await knex.schema.dropTable('known_devices');
}
