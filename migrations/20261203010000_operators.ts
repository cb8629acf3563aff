// Operators (issue 11): accounts apart from citizens, for the people who run the service. An
// operator is a handle (a staff login name, never a citizen's identity), roles, and the two
// factors every sign-in needs: an argon2id password hash and a TOTP secret sealed with the
// envelope. A new operator is "enrolling" until they redeem their one-time enrolment code (kept
// only as a SHA-256) and set both factors.
// operator_bootstrap holds one row at most: `cyberid operator bootstrap` inserts it in the same
// transaction as the first operator, so bootstrapping works once, even with two racing shells,
// and never again after the operators are gone.
import type { Knex } from 'knex';

const OPERATOR_ROLES = ['operator_admin', 'isp_registrar', 'account_support', 'key_custodian', 'auditor', 'lawful_access_officer'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operators', (t) => {
    t.uuid('id').primary();
    t.string('handle', 64).notNullable().unique();
    t.specificType('roles', 'text[]').notNullable();
    t.string('status', 16).notNullable().defaultTo('enrolling');
    t.text('password_hash');
    t.text('totp_secret_ciphertext');
    t.string('enrolment_code_hash', 64);
    t.timestamp('enrolment_expires_at', { useTz: true });
    t.uuid('created_by').references('id').inTable('operators');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('enrolled_at', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
  });
  const roles = OPERATOR_ROLES.map((r) => `'${r}'`).join(', ');
  await knex.raw(`ALTER TABLE operators
    ADD CONSTRAINT operators_handle_check CHECK (handle ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    ADD CONSTRAINT operators_status_check CHECK (status IN ('enrolling', 'active', 'disabled')),
    ADD CONSTRAINT operators_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[${roles}]::text[]),
    ADD CONSTRAINT operators_active_check CHECK (status <> 'active' OR (password_hash IS NOT NULL AND totp_secret_ciphertext IS NOT NULL))`);
  await knex.schema.createTable('operator_bootstrap', (t) => {
    t.boolean('once').primary().defaultTo(true);
    t.uuid('operator_id').notNullable().references('id').inTable('operators');
    t.timestamp('bootstrapped_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('ALTER TABLE operator_bootstrap ADD CONSTRAINT operator_bootstrap_once_check CHECK (once)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('operator_bootstrap');
  await knex.schema.dropTable('operators');
}
