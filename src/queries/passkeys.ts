// SQL for the passkeys table (schema: migrations/20261202040000_passkeys.ts).
import type { Knex } from 'knex';

export type PasskeyRow = {
  credential_id: string;
  citizen_id: string;
  public_key: Buffer;
  sign_count: number;
  backup_eligible: boolean;
  backed_up: boolean;
  transports: string[];
  device_type: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
};

/** The caller's transaction (services/account-events.ts), or the pool. */
type Db = Knex | Knex.Transaction;

const fromDb = (row: PasskeyRow): PasskeyRow => ({ ...row, sign_count: Number(row.sign_count) });

export function createPasskeyQueries(knex: Knex) {
  return {
    async insertPasskey(row: Omit<PasskeyRow, 'created_at' | 'last_used_at'>, db: Db = knex): Promise<void> {
      await db('passkeys').insert(row);
    },
    async findPasskey(credentialId: string): Promise<PasskeyRow | undefined> {
      const row = await knex<PasskeyRow>('passkeys').where({ credential_id: credentialId }).first();
      return row ? fromDb(row) : undefined;
    },
    async listPasskeys(citizenId: string): Promise<PasskeyRow[]> {
      return (await knex<PasskeyRow>('passkeys').where({ citizen_id: citizenId }).orderBy('created_at')).map(fromDb);
    },
    async countPasskeys(citizenId: string): Promise<number> {
      const row = await knex('passkeys').where({ citizen_id: citizenId }).count<{ n: string }[]>('* as n').first();
      return Number(row?.n ?? 0);
    },
    /**
     * Records a verified assertion. The WHERE on the old count makes two assertions racing with
     * the same counter value succeed once: the loser updates nothing and is refused.
     */
    async recordUse(credentialId: string, previousCount: number, signCount: number, backedUp: boolean): Promise<boolean> {
      const updated = await knex('passkeys')
        .where({ credential_id: credentialId, sign_count: previousCount })
        .update({ sign_count: signCount, backed_up: backedUp, last_used_at: knex.fn.now() });
      return updated === 1;
    },
    async renamePasskey(citizenId: string, credentialId: string, name: string): Promise<boolean> {
      return (await knex('passkeys').where({ citizen_id: citizenId, credential_id: credentialId }).update({ name })) === 1;
    },
    /** Cancellation: every passkey of the citizen. */
    async deletePasskeysOf(citizenId: string, db: Db = knex): Promise<void> {
      await db('passkeys').where({ citizen_id: citizenId }).delete();
    },
    async deletePasskey(citizenId: string, credentialId: string, db: Db = knex): Promise<boolean> {
      return (await db('passkeys').where({ citizen_id: citizenId, credential_id: credentialId }).delete()) === 1;
    },
  };
}

export type PasskeyQueries = ReturnType<typeof createPasskeyQueries>;
