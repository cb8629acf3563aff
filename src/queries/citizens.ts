// SQL for the citizens table.
import type { Knex } from 'knex';
import type { SealedIdentity } from '../services/identity-vault.js';
import type { AssuranceLevel, IdentityEvidence } from '../identity/assurance.js';

export type CitizenStatus = 'active' | 'pending_guardian' | 'suspended' | 'cancelled';

export type CitizenRow = SealedIdentity & {
  id: string;
  cyberspace_id: string;
  password_hash: string;
  status: CitizenStatus;
  assurance_level: string;
  document_blind_index: string | null;
  guardian_id: string | null;
  guardian_approved_at: Date | null;
  suspended_by: 'citizen' | 'operator' | null;
  suspension_reason: string | null;
  cancelled_at: Date | null;
  password_changed_at: Date;
  /** The TOTP secret, sealed (envelope, AAD citizens/<id>/totp_secret); null when not enrolled. */
  totp_secret_ciphertext: string | null;
  totp_enabled_at: Date | null;
  /** How well the platform knows who this is (identity/assurance.ts), and on what evidence. */
  identity_assurance: AssuranceLevel;
  identity_evidence: IdentityEvidence | null;
  created_at: Date;
  updated_at: Date;
};

export type NewCitizen = Pick<CitizenRow, 'id' | 'cyberspace_id' | 'password_hash' | 'status' | 'assurance_level'>
  & Partial<Pick<CitizenRow, 'document_blind_index' | 'guardian_id' | 'identity_assurance' | 'identity_evidence'>>
  & Partial<SealedIdentity>
  & { application_token_hash?: string | null };

const UNIQUE_VIOLATION = '23505';

/** The caller's transaction (services/account-events.ts), or the pool. */
type Db = Knex | Knex.Transaction;

export class DuplicateDocumentError extends Error {
  constructor() {
    super('a citizen with this document already exists');
    this.name = 'DuplicateDocumentError';
  }
}

export function createCitizenQueries(knex: Knex) {
  const touch = () => ({ updated_at: knex.fn.now() });
  // Crypto-shredding: the data key and every ciphertext go; the row stays so the ID is never reissued.
  const shredded = () => ({
    status: 'cancelled' as const,
    data_key: null,
    name_ciphertext: null,
    document_type_ciphertext: null,
    document_number_ciphertext: null,
    birth_date_ciphertext: null,
    document_blind_index: null,
    totp_secret_ciphertext: null,
    totp_enabled_at: null,
    guardian_id: null,
    password_hash: '!cancelled',
    cancelled_at: knex.fn.now(),
    ...touch(),
  });
  return {
    findCitizenByCyberspaceId(cyberspaceId: string): Promise<CitizenRow | undefined> {
      return knex('citizens').where({ cyberspace_id: cyberspaceId }).first();
    },
    findCitizenById(id: string): Promise<CitizenRow | undefined> {
      return knex('citizens').where({ id }).first();
    },
    findCitizenByBlindIndex(blindIndex: string): Promise<CitizenRow | undefined> {
      return knex('citizens').where({ document_blind_index: blindIndex }).first();
    },
    findWardsOf(guardianId: string): Promise<CitizenRow[]> {
      return knex('citizens').where({ guardian_id: guardianId }).whereNot({ status: 'cancelled' }).orderBy('created_at');
    },
    /** One INSERT: the account exists completely or not at all. */
    /** `trx`: the application's transaction (the row commits with its audit entry and notices). */
    async insertCitizen(row: NewCitizen, trx?: Knex.Transaction): Promise<CitizenRow> {
      try {
        const evidence = row.identity_evidence ? { identity_evidence: JSON.stringify(row.identity_evidence) } : {};
        const [inserted] = await (trx ?? knex)('citizens').insert({ ...row, ...evidence }).returning('*');
        return inserted as CitizenRow;
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code === UNIQUE_VIOLATION && (constraint ?? '').includes('document_blind_index')) throw new DuplicateDocumentError();
        throw error;
      }
    },
    /**
     * The account a browser's application created since `since`, once: the token hash is cleared
     * as it is read (web/application-cookie.ts).
     */
    async takeApplication(tokenHash: string, since: Date): Promise<Pick<CitizenRow, 'cyberspace_id' | 'status'> | undefined> {
      const [row] = await knex('citizens').where({ application_token_hash: tokenHash }).where('created_at', '>', since).whereNot({ status: 'cancelled' })
        .update({ application_token_hash: null }).returning(['cyberspace_id', 'status']);
      return row as Pick<CitizenRow, 'cyberspace_id' | 'status'> | undefined;
    },
    async updateCitizenPasswordHash(id: string, passwordHash: string, changed = false, db: Db = knex): Promise<void> {
      await db('citizens').where({ id }).update({ password_hash: passwordHash, ...(changed ? { password_changed_at: knex.fn.now() } : {}), ...touch() });
    },
    /** Records stronger evidence; the WHERE keeps a concurrent stronger one from being lowered. */
    async raiseIdentityAssurance(id: string, evidence: IdentityEvidence, lowerLevels: AssuranceLevel[]): Promise<boolean> {
      const updated = await knex('citizens').where({ id }).whereIn('identity_assurance', lowerLevels)
        .update({ identity_assurance: evidence.level, identity_evidence: JSON.stringify(evidence), ...touch() });
      return updated === 1;
    },
    async enableTotp(id: string, sealedSecret: string, db: Db = knex): Promise<void> {
      await db('citizens').where({ id }).update({ totp_secret_ciphertext: sealedSecret, totp_enabled_at: knex.fn.now(), ...touch() });
    },
    /** KEK rotation: sealed TOTP secrets, by citizen id. */
    listTotpSecrets(afterId: string | null, limit: number): Promise<Array<{ id: string; totp_secret_ciphertext: string }>> {
      const query = knex('citizens').whereNotNull('totp_secret_ciphertext').orderBy('id').limit(limit).select('id', 'totp_secret_ciphertext');
      return afterId ? query.where('id', '>', afterId) : query;
    },
    async findTotpSecret(id: string): Promise<string | null | undefined> {
      return (await knex('citizens').where({ id }).first('totp_secret_ciphertext'))?.totp_secret_ciphertext;
    },
    async replaceTotpSecret(id: string, previous: string, next: string): Promise<boolean> {
      return (await knex('citizens').where({ id, totp_secret_ciphertext: previous }).update({ totp_secret_ciphertext: next })) === 1;
    },
    async disableTotp(id: string, db: Db = knex): Promise<void> {
      await db('citizens').where({ id }).update({ totp_secret_ciphertext: null, totp_enabled_at: null, ...touch() });
    },
    async setCitizenStatus(id: string, status: CitizenStatus, suspension?: { by: 'citizen' | 'operator'; reason: string | null }, db: Db = knex): Promise<void> {
      await db('citizens').where({ id }).update({
        status,
        suspended_by: suspension?.by ?? null,
        suspension_reason: suspension?.reason ?? null,
        ...touch(),
      });
    },
    async approveWard(wardId: string, guardianId: string): Promise<boolean> {
      const count = await knex('citizens')
        .where({ id: wardId, guardian_id: guardianId, status: 'pending_guardian' })
        .update({ status: 'active', guardian_approved_at: knex.fn.now(), ...touch() });
      return count === 1;
    },
    /** Compare-and-set: only replaces the guardian the caller saw. */
    async replaceGuardian(wardId: string, previousGuardianId: string | null, guardianId: string): Promise<boolean> {
      const count = await knex('citizens')
        .where({ id: wardId })
        .where((q) => (previousGuardianId ? q.where({ guardian_id: previousGuardianId }) : q.whereNull('guardian_id')))
        .update({ guardian_id: guardianId, guardian_approved_at: null, ...touch() });
      return count === 1;
    },
    async endGuardianship(wardId: string): Promise<void> {
      await knex('citizens').where({ id: wardId }).update({ guardian_id: null, ...touch() });
    },
    /** Cancellation (see `shredded`); `db`: the cancellation's transaction (services/account-events.ts). */
    async shredCitizen(id: string, db: Db = knex): Promise<void> {
      await db('citizens').where({ id }).update(shredded());
    },
    /** A guardian refuses a pending account: shredded like a cancellation, if still theirs and pending. */
    async shredRefusedWard(wardId: string, guardianId: string): Promise<boolean> {
      return (await knex('citizens').where({ id: wardId, guardian_id: guardianId, status: 'pending_guardian' }).update(shredded())) === 1;
    },
    listDataKeys(afterId: string | null, limit: number): Promise<Array<Pick<CitizenRow, 'id' | 'data_key'>>> {
      const query = knex('citizens').whereNotNull('data_key').orderBy('id').limit(limit).select('id', 'data_key');
      return afterId ? query.where('id', '>', afterId) : query;
    },
    /** Compare-and-set so a concurrent change of the same row is never overwritten. */
    async replaceDataKey(id: string, previous: string, next: string): Promise<boolean> {
      return (await knex('citizens').where({ id, data_key: previous }).update({ data_key: next })) === 1;
    },
    /** KEK rotation: the data key a citizen holds now (null once shredded). */
    async findDataKey(id: string): Promise<string | null | undefined> {
      return (await knex('citizens').where({ id }).first('data_key'))?.data_key;
    },
    /** KEK rotation: how many data keys each key-encryption key wraps ("v1:<kek id>:…"). */
    async countDataKeysByKek(): Promise<Record<string, number>> {
      const rows: Array<{ kek_id: string; count: string }> = await knex('citizens')
        .whereNotNull('data_key')
        .select(knex.raw("split_part(data_key, ':', 2) as kek_id"))
        .count('* as count')
        .groupByRaw("split_part(data_key, ':', 2)");
      return Object.fromEntries(rows.map((row) => [row.kek_id, Number(row.count)]));
    },
    countCitizens(): Promise<number> {
      return knex('citizens').count<{ count: string }[]>('* as count').then(([row]) => Number(row?.count ?? 0));
    },
  };
}

export type CitizenQueries = ReturnType<typeof createCitizenQueries>;
