// Citizens' identity data, encrypted field by field (envelope encryption, see
// src/crypto/envelope.ts), the keyed blind index that enforces one cyberspace ID per document,
// guardian links for minors, and the account lifecycle (suspension, cancellation).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    // Wrapped per-citizen data key; NULL after cancellation (crypto-shredding).
    t.text('data_key');
    t.text('name_ciphertext');
    t.text('document_type_ciphertext');
    t.text('document_number_ciphertext');
    t.text('birth_date_ciphertext');
    // HMAC of the normalised document: detects a second application without plaintext.
    t.string('document_blind_index', 64).unique();
    t.uuid('guardian_id').references('id').inTable('citizens');
    t.timestamp('guardian_approved_at', { useTz: true });
    t.string('suspended_by', 16);
    t.text('suspension_reason');
    t.timestamp('cancelled_at', { useTz: true });
    t.index(['guardian_id']);
  });
  await knex.raw(`ALTER TABLE citizens ADD CONSTRAINT citizens_suspended_by_check
    CHECK (suspended_by IS NULL OR suspended_by IN ('citizen', 'operator'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE citizens DROP CONSTRAINT citizens_suspended_by_check');
  await knex.schema.alterTable('citizens', (t) => {
    t.dropColumns('data_key', 'name_ciphertext', 'document_type_ciphertext', 'document_number_ciphertext', 'birth_date_ciphertext',
      'document_blind_index', 'guardian_id', 'guardian_approved_at', 'suspended_by', 'suspension_reason', 'cancelled_at');
  });
}
