// SQL for the operators and operator_bootstrap tables (schema: migrations/20261203010000_operators.ts).
import type { Knex } from 'knex';
import type { Role } from '../operators/roles.js';

export type OperatorStatus = 'enrolling' | 'active' | 'disabled';

export type OperatorRow = {
  id: string;
  handle: string;
  roles: Role[];
  status: OperatorStatus;
  password_hash: string | null;
  totp_secret_ciphertext: string | null;
  enrolment_code_hash: string | null;
  enrolment_expires_at: Date | null;
  created_by: string | null;
  created_at: Date;
  enrolled_at: Date | null;
  disabled_at: Date | null;
};

export type NewOperator = Pick<OperatorRow, 'id' | 'handle' | 'roles' | 'enrolment_code_hash' | 'enrolment_expires_at' | 'created_by'>;

const TABLE = 'operators';
const toDate = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string | Date));
// PGlite and pg both return text[] as an array.
const toRow = (raw: Record<string, unknown>): OperatorRow => ({
  ...(raw as OperatorRow),
  created_at: new Date(raw.created_at as string),
  enrolment_expires_at: toDate(raw.enrolment_expires_at),
  enrolled_at: toDate(raw.enrolled_at),
  disabled_at: toDate(raw.disabled_at),
});

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export function createOperatorQueries(knex: Knex) {
  return {
    /**
     * The first operator and the bootstrap marker, together. False when the service was
     * bootstrapped before (the marker exists), whoever raced whom.
     */
    async insertBootstrapOperator(row: NewOperator): Promise<boolean> {
      try {
        await knex.transaction(async (trx) => {
          await trx(TABLE).insert(row);
          await trx('operator_bootstrap').insert({ once: true, operator_id: row.id });
        });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async wasBootstrapped(): Promise<boolean> {
      return (await knex('operator_bootstrap').first()) !== undefined;
    },

    /** False when the handle is taken. */
    async insertOperator(row: NewOperator): Promise<boolean> {
      try {
        await knex(TABLE).insert(row);
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async findOperatorById(id: string): Promise<OperatorRow | undefined> {
      const raw = await knex(TABLE).where({ id }).first();
      return raw ? toRow(raw) : undefined;
    },

    async findOperatorByHandle(handle: string): Promise<OperatorRow | undefined> {
      const raw = await knex(TABLE).where({ handle }).first();
      return raw ? toRow(raw) : undefined;
    },

    async listOperators(): Promise<OperatorRow[]> {
      return (await knex(TABLE).orderBy('created_at').orderBy('handle')).map(toRow);
    },

    /** enrolling → active with both factors; the enrolment code is spent. False if no longer enrolling. */
    async completeEnrolment(id: string, passwordHash: string, sealedTotpSecret: string): Promise<boolean> {
      return (await knex(TABLE).where({ id, status: 'enrolling' }).update({
        status: 'active', password_hash: passwordHash, totp_secret_ciphertext: sealedTotpSecret,
        enrolment_code_hash: null, enrolment_expires_at: null, enrolled_at: knex.fn.now(),
      })) === 1;
    },

    /** KEK rotation (crypto/rewrap.ts): the sealed TOTP secrets in id order, one read, a compare-and-set. */
    listTotpSecrets(afterId: string | null, limit: number): Promise<Array<{ id: string; totp_secret_ciphertext: string }>> {
      const query = knex(TABLE).whereNotNull('totp_secret_ciphertext').orderBy('id').limit(limit).select('id', 'totp_secret_ciphertext');
      return afterId ? query.where('id', '>', afterId) : query;
    },
    async findTotpSecret(id: string): Promise<string | null | undefined> {
      return (await knex(TABLE).where({ id }).first('totp_secret_ciphertext'))?.totp_secret_ciphertext;
    },
    async replaceTotpSecret(id: string, previous: string, next: string): Promise<boolean> {
      return (await knex(TABLE).where({ id, totp_secret_ciphertext: previous }).update({ totp_secret_ciphertext: next })) === 1;
    },

    /** Back to enrolling with a new code: both factors forgotten. False if disabled or unknown. */
    async resetEnrolment(id: string, codeHash: string, expiresAt: Date): Promise<boolean> {
      return (await knex(TABLE).where({ id }).whereNot({ status: 'disabled' }).update({
        status: 'enrolling', password_hash: null, totp_secret_ciphertext: null,
        enrolment_code_hash: codeHash, enrolment_expires_at: expiresAt, enrolled_at: null,
      })) === 1;
    },

    async countActiveWithRole(role: Role): Promise<number> {
      const [row] = await knex(TABLE).where({ status: 'active' }).whereRaw('? = ANY (roles)', [role]).count<{ n: string }[]>('* as n');
      return Number(row?.n ?? 0);
    },

    async disableOperator(id: string): Promise<boolean> {
      return (await knex(TABLE).where({ id }).whereNot({ status: 'disabled' })
        .update({ status: 'disabled', enrolment_code_hash: null, enrolment_expires_at: null, disabled_at: knex.fn.now() })) === 1;
    },
  };
}

export type OperatorQueries = ReturnType<typeof createOperatorQueries>;
