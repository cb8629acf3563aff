// Identity assurance (docs/assurance.md): each citizen's level and the evidence it rests on,
// and the enrolment attesters whose signed attestations raise it. An attester key is public
// (a JWK); revoking keeps the row so that earlier evidence still names who vouched for it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    t.string('identity_assurance', 16).notNullable().defaultTo('low');
    // { kind, level, attesterId?, method?, verifiedAt } — never a document number.
    t.jsonb('identity_evidence');
  });
  await knex.schema.createTable('enrolment_attesters', (t) => {
    // One row per key; rotation adds a key under the same attester_id.
    t.string('kid', 100).primary();
    t.uuid('attester_id').notNullable().index();
    t.string('name', 200).notNullable();
    t.string('kind', 32).notNullable();
    t.string('level', 16).notNullable();
    t.jsonb('public_jwk').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('enrolment_attesters');
  await knex.schema.alterTable('citizens', (t) => {
    t.dropColumn('identity_evidence');
    t.dropColumn('identity_assurance');
  });
}
