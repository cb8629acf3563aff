// Recoveries that wait (docs/assurance.md "Recovery"): with only document facts on an account
// that has a second factor, the reset waits a configurable delay while the citizen is told and
// can cancel. One waiting request per citizen at most; nothing secret is kept here (the person
// recovering submits the form again, with the new password, once the wait is over).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recovery_requests', (t) => {
    t.uuid('id').primary();
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens').onDelete('CASCADE');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completes_at', { useTz: true }).notNullable();
    // waiting → completed | cancelled
    t.string('status', 16).notNullable().defaultTo('waiting');
    t.timestamp('closed_at', { useTz: true });
  });
  await knex.raw("CREATE UNIQUE INDEX recovery_requests_one_waiting ON recovery_requests (citizen_id) WHERE status = 'waiting'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recovery_requests');
}
