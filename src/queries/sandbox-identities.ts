// SQL for the sandbox_identities and sandbox_guardianships tables (keyed hashes only, see the
// migrations).
import type { Knex } from 'knex';

export type SandboxIdentityHashes = { lookup: string; verifier: string };

export function createSandboxIdentityQueries(knex: Knex) {
  return {
    async findSandboxVerifier(lookup: string): Promise<string | undefined> {
      const row = await knex('sandbox_identities').where({ lookup }).first('verifier');
      return row?.verifier as string | undefined;
    },
    /** false when an identity with this lookup exists already (nothing is changed then). */
    async insertSandboxIdentity(hashes: SandboxIdentityHashes): Promise<boolean> {
      const inserted = await knex('sandbox_identities').insert(hashes).onConflict('lookup').ignore().returning('lookup');
      return inserted.length === 1;
    },
    /** Inserts, or replaces the verifier of an identity with the same lookup. */
    async upsertSandboxIdentities(rows: SandboxIdentityHashes[]): Promise<void> {
      if (rows.length === 0) return;
      await knex('sandbox_identities').insert(rows).onConflict('lookup').merge(['verifier']);
    },
    countSandboxIdentities(): Promise<number> {
      return knex('sandbox_identities').count<{ count: string }[]>('* as count').then(([row]) => Number(row?.count ?? 0));
    },
    async hasSandboxGuardianship(pair: string): Promise<boolean> {
      return (await knex('sandbox_guardianships').where({ pair }).first('pair')) !== undefined;
    },
    /** Inserts the pairs that are not there yet; the count of those inserted. */
    async insertSandboxGuardianships(pairs: string[]): Promise<number> {
      if (pairs.length === 0) return 0;
      const inserted = await knex('sandbox_guardianships').insert(pairs.map((pair) => ({ pair }))).onConflict('pair').ignore().returning('pair');
      return inserted.length;
    },
  };
}

export type SandboxIdentityQueries = ReturnType<typeof createSandboxIdentityQueries>;
