// SQL for the signing_keys table.
import type { Knex } from 'knex';

export type SigningKeyRow = {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_jwk_ciphertext: string;
  created_at: Date;
  activates_at: Date;
};

export function createSigningKeyQueries(knex: Knex) {
  return {
    listSigningKeys(): Promise<SigningKeyRow[]> {
      return knex('signing_keys').select('*').orderBy('activates_at', 'desc');
    },
    async insertSigningKey(row: Omit<SigningKeyRow, 'created_at'>): Promise<void> {
      await knex('signing_keys').insert({ ...row, public_jwk: JSON.stringify(row.public_jwk) });
    },
    async deleteSigningKeys(kids: string[]): Promise<number> {
      return kids.length ? knex('signing_keys').whereIn('kid', kids).delete() : 0;
    },
    /** KEK rotation: private key ciphertexts in kid order, after `afterKid`. */
    listSigningKeyCiphertexts(afterKid: string | null, limit: number): Promise<Array<Pick<SigningKeyRow, 'kid' | 'private_jwk_ciphertext'>>> {
      const query = knex('signing_keys').select('kid', 'private_jwk_ciphertext').orderBy('kid').limit(limit);
      return afterKid ? query.where('kid', '>', afterKid) : query;
    },
    async findSigningKeyCiphertext(kid: string): Promise<string | undefined> {
      return (await knex('signing_keys').where({ kid }).first('private_jwk_ciphertext'))?.private_jwk_ciphertext;
    },
    /** Compare-and-set so a concurrent change of the same key is never overwritten. */
    async replaceSigningKeyCiphertext(kid: string, previous: string, next: string): Promise<boolean> {
      return (await knex('signing_keys').where({ kid, private_jwk_ciphertext: previous }).update({ private_jwk_ciphertext: next })) === 1;
    },
  };
}

export type SigningKeyQueries = ReturnType<typeof createSigningKeyQueries>;
