// An optional second factor (TOTP, RFC 6238) for citizens: the shared secret sealed with the
// envelope (AAD citizens/<id>/totp_secret), and when it was enabled. No plaintext secret here.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    t.text('totp_secret_ciphertext');
    t.timestamp('totp_enabled_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    t.dropColumn('totp_enabled_at');
    t.dropColumn('totp_secret_ciphertext');
  });
}
