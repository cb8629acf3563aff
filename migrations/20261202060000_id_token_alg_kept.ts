// RS256 became the default ID token algorithm (OIDC Dynamic Client Registration §2); before,
// it was ES256. The rule for clients registered before: they keep what they were registered
// with. Both registration paths always stored the algorithm explicitly, so this only writes
// the old default into a row that somehow lacks it, so no ISP's tokens change algorithm under it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE clients SET metadata = metadata || '{"id_token_signed_response_alg":"ES256"}'::jsonb WHERE metadata->'id_token_signed_response_alg' IS NULL`);
}

export async function down(): Promise<void> {
  // Nothing to undo: the rows keep an explicit algorithm, which the old code read the same way.
}
