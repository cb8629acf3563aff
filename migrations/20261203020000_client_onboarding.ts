// ISP onboarding (issue 11): a registration is reviewed before it may sign citizens in.
// - clients.status: submitted → approved → active → suspended (→ active). Clients registered
//   before review existed are already in service, so they become active; a disabled one becomes
//   suspended (suspension is what disabling was: tokens revoked, no sign-in). New rows default
//   to submitted, so a registration that names no status can never start in service.
// - client_decisions: each operator decision with its free-text reason and who decided; the
//   audit log carries the decision id and a digest of the reason (audit entries hold codes only).
//   No foreign key: the history outlives an ISP that deletes its registration (RFC 7592).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.string('status', 16).notNullable().defaultTo('active');
  });
  await knex('clients').whereNotNull('disabled_at').update({ status: 'suspended' });
  await knex.raw(`ALTER TABLE clients ALTER COLUMN status SET DEFAULT 'submitted'`);
  await knex.raw(`ALTER TABLE clients ADD CONSTRAINT clients_status_check
    CHECK (status IN ('submitted', 'approved', 'active', 'suspended'))`);
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('disabled_at');
  });

  await knex.schema.createTable('client_decisions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('client_id', 64).notNullable();
    t.string('from_status', 16).notNullable();
    t.string('to_status', 16).notNullable();
    t.text('reason').notNullable();
    // An operator account id, or "system" (the development demo ISP).
    t.string('decided_by', 64).notNullable();
    t.timestamp('decided_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['client_id', 'decided_at'], 'client_decisions_client_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('client_decisions');
  await knex.schema.alterTable('clients', (t) => {
    t.timestamp('disabled_at', { useTz: true });
  });
  await knex('clients').where({ status: 'suspended' }).update({ disabled_at: knex.fn.now() });
  await knex.raw('ALTER TABLE clients DROP CONSTRAINT clients_status_check');
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('status');
  });
}
