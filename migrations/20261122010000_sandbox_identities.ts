// The sandbox identity authority's synthetic identities (src/identity-authority/sandbox.ts).
// Only keyed hashes are stored, never a name, number or date, not even synthetic ones:
// `lookup` finds an identity by its document, `verifier` proves the other fields match.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox_identities', (t) => {
    // HMAC-SHA256, lowercase hex (like citizens.document_blind_index).
    t.string('lookup', 64).primary();
    t.string('verifier', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE sandbox_identities ADD CONSTRAINT sandbox_identities_hashes_check
    CHECK (lookup ~ '^[0-9a-f]{64}$' AND verifier ~ '^[0-9a-f]{64}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sandbox_identities');
}
