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
    async updateSigningKeyCiphertext(kid: string, ciphertext: string): Promise<void> {
      await knex('signing_keys').where({ kid }).update({ private_jwk_ciphertext: ciphertext });
    },
  };
}

export type SigningKeyQueries = ReturnType<typeof createSigningKeyQueries>;
