// SQL for the known_devices table (schema: migrations/20261123010000_known_devices_and_notices.ts).
import type { Knex } from 'knex';

export type KnownDeviceRow = {
  citizen_id: string;
  device_hash: string;
  sign_in_count: number;
  /** Browser and system family last seen ("Firefox/Windows"); null for devices recorded before it was kept. */
  description: string | null;
  first_seen_at: Date;
  last_seen_at: Date;
};

export function createKnownDeviceQueries(knex: Knex) {
  return {
    /** `db`: the cancellation's transaction (services/account-events.ts). */
    async deleteDevicesOf(citizenId: string, db: Knex | Knex.Transaction = knex): Promise<void> {
      await db('known_devices').where({ citizen_id: citizenId }).delete();
    },
    /**
     * Records a sign-in from a device, in one statement: `first` when this device is new for the
     * citizen, `others` how many devices the citizen had before (the CTE sees the table as it was).
     * `db`: the sign-in's transaction that also writes the new-device notices (services/known-devices.ts).
     */
    async recordDeviceSignIn(citizenId: string, deviceHash: string, description: string, db: Knex | Knex.Transaction = knex): Promise<{ first: boolean; others: number }> {
      const result = await db.raw(
        `WITH others AS (SELECT count(*) AS n FROM known_devices WHERE citizen_id = ? AND device_hash <> ?),
         seen AS (
           INSERT INTO known_devices (citizen_id, device_hash, description) VALUES (?, ?, ?)
           ON CONFLICT (citizen_id, device_hash) DO UPDATE SET
             sign_in_count = known_devices.sign_in_count + 1,
             description = EXCLUDED.description,
             last_seen_at = now()
           RETURNING sign_in_count)
         SELECT seen.sign_in_count, others.n FROM seen, others`,
        [citizenId, deviceHash, citizenId, deviceHash, description],
      );
      const row = (result.rows as Array<{ sign_in_count: unknown; n: unknown }>)[0]!;
      return { first: Number(row.sign_in_count) === 1, others: Number(row.n) };
    },
    async isKnownDevice(citizenId: string, deviceHash: string): Promise<boolean> {
      return (await knex('known_devices').where({ citizen_id: citizenId, device_hash: deviceHash }).first('citizen_id')) !== undefined;
    },
    /** Most recently used first: the dashboard's order. */
    listKnownDevices(citizenId: string): Promise<KnownDeviceRow[]> {
      return knex('known_devices').where({ citizen_id: citizenId }).orderBy([{ column: 'last_seen_at', order: 'desc' }, { column: 'first_seen_at', order: 'desc' }]);
    },
  };
}

export type KnownDeviceQueries = ReturnType<typeof createKnownDeviceQueries>;
