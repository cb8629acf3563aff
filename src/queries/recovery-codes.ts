// SQL for the recovery_codes table (schema: migrations/20261202030100_recovery_codes.ts). Rows hold
// keyed hashes only (src/sign-in/recovery-codes.ts); a used code keeps its row, marked used_at.
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export function createRecoveryCodeQueries(knex: Knex) {
  return {
    /** The citizen's codes become exactly these (a new set invalidates every older one), atomically. */
    async replaceCodes(citizenId: string, hashes: string[], db: Db = knex): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('recovery_codes').where({ citizen_id: citizenId }).delete();
        await trx('recovery_codes').insert(hashes.map((code_hash) => ({ citizen_id: citizenId, code_hash })));
      });
    },
    /**
     * Marks one unused code used. The `used_at IS NULL` in the same UPDATE makes two uses racing
     * for one code succeed once: the loser updates no row.
     */
    async consumeCode(db: Db, citizenId: string, hash: string): Promise<boolean> {
      const updated = await db('recovery_codes').where({ citizen_id: citizenId, code_hash: hash }).whereNull('used_at').update({ used_at: db.fn.now() });
      return updated === 1;
    },
    /** How many unused codes the citizen has, read inside the caller's transaction. */
    async countUnused(db: Db, citizenId: string): Promise<number> {
      const row = await db('recovery_codes').where({ citizen_id: citizenId }).whereNull('used_at').count<{ n: string }[]>('* as n').first();
      return Number(row?.n ?? 0);
    },
    /** How many codes are left, and when the current set was made (null: never). */
    async summary(citizenId: string): Promise<{ remaining: number; issuedAt: Date | null }> {
      const row = await knex('recovery_codes')
        .where({ citizen_id: citizenId })
        .select(knex.raw('count(*) filter (where used_at is null) as remaining'), knex.raw('max(created_at) as issued_at'))
        .first() as { remaining: string | number; issued_at: Date | string | null } | undefined;
      return { remaining: Number(row?.remaining ?? 0), issuedAt: row?.issued_at ? new Date(row.issued_at) : null };
    },
    /** Cancellation: every code of the citizen. */
    async deleteCodesOf(citizenId: string, db: Db = knex): Promise<void> {
      await db('recovery_codes').where({ citizen_id: citizenId }).delete();
    },
  };
}

export type RecoveryCodeQueries = ReturnType<typeof createRecoveryCodeQueries>;
