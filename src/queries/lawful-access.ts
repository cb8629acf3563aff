// SQL for the lawful_access_requests table (schema: migrations/20261122050000_lawful_access.ts)
// and the candidate search that resolves an ISP's pairwise ID. Every state change is one
// conditional UPDATE, so two officers acting at once cannot both approve, reveal or refuse.
import type { Knex } from 'knex';

export type LawfulAccessStatus = 'pending' | 'approved' | 'revealed' | 'refused';
export type SubjectKind = 'cyberspace_id' | 'pairwise';

export type LawfulAccessRow = {
  id: string;
  citizen_id: string;
  subject_kind: SubjectKind;
  client_id: string | null;
  case_reference: string;
  authority_code: string;
  requesting_officer: string;
  approving_officer: string | null;
  revealing_officer: string | null;
  refusing_officer: string | null;
  status: LawfulAccessStatus;
  /** YYYY-MM-DD (China Standard Time calendar day), or null: no embargo. */
  embargo_until: string | null;
  created_at: Date;
  approved_at: Date | null;
  revealed_at: Date | null;
  refused_at: Date | null;
};

export type NewLawfulAccessRequest = Pick<LawfulAccessRow,
  'id' | 'citizen_id' | 'subject_kind' | 'client_id' | 'case_reference' | 'authority_code' | 'requesting_officer' | 'embargo_until'>;

export type Candidate = { id: string; cyberspace_id: string };

const TABLE = 'lawful_access_requests';

// A `date` column as text: pg would otherwise turn it into a Date at local midnight.
const columns = (knex: Knex) => [
  'id', 'citizen_id', 'subject_kind', 'client_id', 'case_reference', 'authority_code',
  'requesting_officer', 'approving_officer', 'revealing_officer', 'refusing_officer', 'status',
  knex.raw('embargo_until::text AS embargo_until'),
  'created_at', 'approved_at', 'revealed_at', 'refused_at',
];

const toDate = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string | Date));

function toRow(raw: Record<string, unknown>): LawfulAccessRow {
  return {
    ...(raw as LawfulAccessRow),
    created_at: new Date(raw.created_at as string | Date),
    approved_at: toDate(raw.approved_at),
    revealed_at: toDate(raw.revealed_at),
    refused_at: toDate(raw.refused_at),
  };
}

export function createLawfulAccessQueries(knex: Knex) {
  return {
    async insertRequest(row: NewLawfulAccessRequest): Promise<void> {
      await knex(TABLE).insert({ ...row, status: 'pending' });
    },

    /** Only to undo an insert whose audit entry could not be written. */
    async deleteRequest(id: string): Promise<void> {
      await knex(TABLE).where({ id, status: 'pending' }).delete();
    },

    async findRequest(id: string): Promise<LawfulAccessRow | undefined> {
      const raw = await knex(TABLE).select(columns(knex)).where({ id }).first();
      return raw ? toRow(raw) : undefined;
    },

    async listRequests(options: { status?: LawfulAccessStatus; limit: number }): Promise<LawfulAccessRow[]> {
      const query = knex(TABLE).select(columns(knex)).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(options.limit);
      if (options.status) query.where({ status: options.status });
      return (await query).map(toRow);
    },

    /** pending → approved by an officer other than the requester; false if that no longer holds. */
    async approve(id: string, officer: string): Promise<boolean> {
      return (await knex(TABLE).where({ id, status: 'pending' }).whereNot({ requesting_officer: officer })
        .update({ status: 'approved', approving_officer: officer, approved_at: knex.fn.now() })) === 1;
    },

    /** Undoes approve when its audit entry could not be written. */
    async unapprove(id: string, officer: string): Promise<void> {
      await knex(TABLE).where({ id, status: 'approved', approving_officer: officer })
        .update({ status: 'pending', approving_officer: null, approved_at: null });
    },

    /** approved → revealed, by the requesting or the approving officer; false if that no longer holds. */
    async markRevealed(id: string, officer: string): Promise<boolean> {
      return (await knex(TABLE).where({ id, status: 'approved' })
        .andWhere((q) => q.where({ requesting_officer: officer }).orWhere({ approving_officer: officer }))
        .update({ status: 'revealed', revealing_officer: officer, revealed_at: knex.fn.now() })) === 1;
    },

    /** Undoes markRevealed when the reveal could not complete (nothing was handed over). */
    async unmarkRevealed(id: string, officer: string): Promise<void> {
      await knex(TABLE).where({ id, status: 'revealed', revealing_officer: officer })
        .update({ status: 'approved', revealing_officer: null, revealed_at: null });
    },

    /** pending or approved → refused; false if already revealed or refused. */
    async refuse(id: string, officer: string): Promise<boolean> {
      return (await knex(TABLE).where({ id }).whereIn('status', ['pending', 'approved'])
        .update({ status: 'refused', refusing_officer: officer, refused_at: knex.fn.now() })) === 1;
    },

    /**
     * Revealed requests whose embargo ended before `today` and whose subject has not been told,
     * now marked told — inside the caller's transaction, with the notice written in it too.
     * SKIP LOCKED: instances running the job at once never take the same row.
     */
    async claimUntoldDisclosures(trx: Knex.Transaction, today: string, limit: number): Promise<Array<{ id: string; citizen_id: string }>> {
      const due = await trx(TABLE).select('id', 'citizen_id')
        .where({ status: 'revealed' }).whereNull('subject_notified_at').whereNotNull('citizen_id')
        .andWhere((q) => q.whereNull('embargo_until').orWhereRaw('embargo_until < ?::date', [today]))
        .orderBy('revealed_at').limit(limit).forUpdate().skipLocked();
      if (due.length) await trx(TABLE).whereIn('id', due.map((r: { id: string }) => r.id)).update({ subject_notified_at: trx.fn.now() });
      return due.map((r: { id: string | number; citizen_id: string }) => ({ id: String(r.id), citizen_id: r.citizen_id }));
    },

    /** Revealed requests about one citizen whose embargo ended before `today` (YYYY-MM-DD). */
    async listDisclosures(citizenId: string, today: string): Promise<Array<{ case_reference: string; revealed_at: Date }>> {
      const rows = await knex(TABLE).select('case_reference', 'revealed_at')
        .where({ citizen_id: citizenId, status: 'revealed' })
        .andWhere((q) => q.whereNull('embargo_until').orWhereRaw('embargo_until < ?::date', [today]))
        .orderBy('revealed_at', 'desc');
      return rows.map((r: { case_reference: string; revealed_at: string | Date }) => ({ case_reference: r.case_reference, revealed_at: new Date(r.revealed_at) }));
    },

    /**
     * One page of the citizens an ISP knows or knew, in id order after `afterId`: connected now
     * (connections) or ever given claims (claims.released entries of the audit log, which a
     * revoked connection leaves behind). Both sources are read through their (client_id,
     * citizen_id) indexes; the first `limit` of each suffice for the first `limit` of the union.
     */
    async listClientCitizens(clientId: string, afterId: string | null, limit: number): Promise<Candidate[]> {
      const after = afterId ?? '00000000-0000-0000-0000-000000000000';
      const result = await knex.raw(
        `SELECT c.id, c.cyberspace_id FROM citizens c
          WHERE c.id IN (
            (SELECT citizen_id FROM connections WHERE client_id = ? AND citizen_id > ? ORDER BY citizen_id LIMIT ?)
            UNION
            (SELECT DISTINCT citizen_id FROM audit_log
              WHERE client_id = ? AND type = 'claims.released' AND citizen_id > ? ORDER BY citizen_id LIMIT ?))
          ORDER BY c.id LIMIT ?`,
        [clientId, after, limit, clientId, after, limit, limit],
      );
      return (result.rows as Candidate[]).map((r) => ({ id: String(r.id), cyberspace_id: String(r.cyberspace_id) }));
    },
  };
}

export type LawfulAccessQueries = ReturnType<typeof createLawfulAccessQueries>;
