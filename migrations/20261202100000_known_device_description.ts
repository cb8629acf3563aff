// known_devices.description: the browser and system family a device was last seen with
// ("Firefox/Windows", web/device-description.ts) so the citizen can tell their devices apart on
// the dashboard. Families only — no version, no raw User-Agent, no address — so it identifies
// nobody. Devices recorded before this migration have none and read "an unrecognised browser".
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('known_devices', (t) => {
    t.string('description', 40).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('known_devices', (t) => {
    t.dropColumn('description');
  });
}
