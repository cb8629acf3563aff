// Recovery codes (src/sign-in/recovery-codes.ts): ten single-use codes issued when a citizen
// turns on a second factor, stored only as keyed hashes, each marked when used.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recovery_codes', (t) => {
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('used_at', { useTz: true });
    t.primary(['citizen_id', 'code_hash']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recovery_codes');
}
