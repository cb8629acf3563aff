// Notices about sign-in security: failed attempts on the account and a recovery code used, each
// with a rough, location-free device description ("Firefox/Windows", web/device-description.ts).
import type { Knex } from 'knex';

const KINDS_BEFORE = ['new_connection', 'new_device'];
const KINDS = [...KINDS_BEFORE, 'failed_sign_in', 'recovery_code_used'];
const check = (kinds: string[]) => `CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE account_notices DROP CONSTRAINT account_notices_kind_check');
  await knex.raw(`ALTER TABLE account_notices ADD CONSTRAINT account_notices_kind_check ${check(KINDS)}`);
  await knex.schema.alterTable('account_notices', (t) => {
    t.string('device', 32);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('account_notices').whereNotIn('kind', KINDS_BEFORE).delete();
  await knex.schema.alterTable('account_notices', (t) => {
    t.dropColumn('device');
  });
  await knex.raw('ALTER TABLE account_notices DROP CONSTRAINT account_notices_kind_check');
  await knex.raw(`ALTER TABLE account_notices ADD CONSTRAINT account_notices_kind_check ${check(KINDS_BEFORE)}`);
}
