// Passkeys (WebAuthn, src/sign-in/passkeys.ts): a citizen's registered credentials, keyed by
// the citizen's internal id. Only what verifying an assertion needs, plus the citizen's own
// label and times; no personal data (the user handle given to authenticators is random too).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('passkeys', (t) => {
    // The authenticator's credential ID (base64url), unique across all citizens.
    t.string('credential_id', 1400).primary();
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens').onDelete('CASCADE');
    t.binary('public_key').notNullable();
    t.bigInteger('sign_count').notNullable().defaultTo(0);
    t.boolean('backup_eligible').notNullable();
    t.boolean('backed_up').notNullable();
    t.specificType('transports', 'text[]').notNullable().defaultTo('{}');
    t.string('device_type', 20).notNullable();
    t.string('name', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['citizen_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('passkeys');
}
