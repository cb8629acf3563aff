// The sandbox identity authority's guardian relationships (src/identity-authority/sandbox.ts).
// One keyed hash per guardian and ward pair, never either document: the sandbox can answer
// "is A a guardian of B?" and nothing else, not even list its pairs.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox_guardianships', (t) => {
    // HMAC-SHA256, lowercase hex (like sandbox_identities.lookup).
    t.string('pair', 64).primary();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE sandbox_guardianships ADD CONSTRAINT sandbox_guardianships_pair_check
    CHECK (pair ~ '^[0-9a-f]{64}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sandbox_guardianships');
}
