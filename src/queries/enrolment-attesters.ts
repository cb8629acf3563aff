// SQL for the enrolment_attesters table: registered attesters and their public keys.
import type { Knex } from 'knex';
import type { JWK } from 'jose';
import type { AttesterKind, AttesterLevel } from '../identity/assurance.js';

export type AttesterRow = {
  /** Stable across the attester's key rotations. */
  attester_id: string;
  name: string;
  kind: AttesterKind;
  level: AttesterLevel;
  kid: string;
  public_jwk: JWK;
  created_at: Date;
  revoked_at: Date | null;
};

export function createEnrolmentAttesterQueries(knex: Knex) {
  return {
    async insertAttester(row: Pick<AttesterRow, 'attester_id' | 'name' | 'kind' | 'level' | 'kid' | 'public_jwk'>): Promise<AttesterRow> {
      const [inserted] = await knex('enrolment_attesters').insert({ ...row, public_jwk: JSON.stringify(row.public_jwk) }).returning('*');
      return inserted as AttesterRow;
    },
    findAttesterByKid(kid: string): Promise<AttesterRow | undefined> {
      return knex('enrolment_attesters').where({ kid }).first();
    },
    findActiveKeysOf(attesterId: string): Promise<AttesterRow[]> {
      return knex('enrolment_attesters').where({ attester_id: attesterId }).whereNull('revoked_at');
    },
    listAttesters(): Promise<AttesterRow[]> {
      return knex('enrolment_attesters').orderBy('created_at');
    },
    /** Revokes one key (by kid); false when there is no such active key. */
    async revokeAttesterKey(kid: string): Promise<boolean> {
      const updated = await knex('enrolment_attesters').where({ kid }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
      return updated === 1;
    },
  };
}

export type EnrolmentAttesterQueries = ReturnType<typeof createEnrolmentAttesterQueries>;
