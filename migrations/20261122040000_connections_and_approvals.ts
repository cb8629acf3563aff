// Connections: which ISPs a citizen has signed in to, when, and which claims (names only) each
// has received — the citizen's dashboard and the guardian's view read them.
// Guardian approvals: a minor's new ISP connection waits for the guardian's decision.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connections', (t) => {
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('client_id', 64).notNullable();
    t.specificType('claims_released', 'text[]').notNullable().defaultTo('{}');
    t.integer('sign_in_count').notNullable().defaultTo(0);
    t.timestamp('first_sign_in_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_sign_in_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['citizen_id', 'client_id']);
  });
  await knex.schema.createTable('guardian_approvals', (t) => {
    t.uuid('ward_id').notNullable().references('id').inTable('citizens');
    t.string('client_id', 64).notNullable();
    t.text('scope').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.primary(['ward_id', 'client_id']);
  });
  await knex.raw(`ALTER TABLE guardian_approvals ADD CONSTRAINT guardian_approvals_status_check
    CHECK (status IN ('pending', 'approved', 'refused'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('guardian_approvals');
  await knex.schema.dropTable('connections');
}
