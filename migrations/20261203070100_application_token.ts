// The browser's application, bound by a random cookie (web/application-cookie.ts): its keyed
// hash is kept with the new account for an hour, so if the answer carrying the new cyberspace ID
// is lost after the commit, the same browser is shown it once more (issue 8). Not personal data.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    t.string('application_token_hash', 64);
  });
  await knex.raw('CREATE UNIQUE INDEX citizens_application_token_idx ON citizens (application_token_hash) WHERE application_token_hash IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS citizens_application_token_idx');
  await knex.schema.alterTable('citizens', (t) => {
    t.dropColumn('application_token_hash');
  });
}
