// SQL for the audit_log and audit_chain_heads tables (schema: migrations/20261122030000_audit_log.ts,
// partitioned by month in 20261203090000_partitioned_logs.ts). An append locks only its own
// chain's head row, so appends to different chains never wait on each other; the head is read,
// the entry written and the head moved in one statement.
import type { Knex } from 'knex';

export type AuditActor = 'citizen' | 'operator' | 'system' | 'guardian' | 'isp';
export type AuditDetails = Record<string, string | number | boolean | string[]>;

export type AuditLogRow = {
  chain: number;
  seq: number;
  occurred_at: Date;
  type: string;
  citizen_id: string | null;
  client_id: string | null;
  actor: AuditActor;
  details: AuditDetails;
  prev_hash: string;
  hash: string;
};

export type ChainHead = { chain: number; seq: number; hash: string };

/** A position in a citizen's activity, newest first: the last entry of the previous page. */
export type AuditPosition = { occurred_at: Date; chain: number; seq: number };

/** Entries left out of a listing: these types, and entries whose details.purpose is one of these. */
export type AuditExclusion = { types?: readonly string[]; purposes?: readonly string[] };

const COLUMNS = ['chain', 'seq', 'occurred_at', 'type', 'citizen_id', 'client_id', 'actor', 'details', 'prev_hash', 'hash'];

// pg returns bigint as a string; PGlite may return a number or a bigint.
function toRow(raw: Record<string, unknown>): AuditLogRow {
  return {
    ...(raw as AuditLogRow),
    chain: Number(raw.chain),
    seq: Number(raw.seq),
    occurred_at: new Date(raw.occurred_at as Date | string),
    details: (typeof raw.details === 'string' ? JSON.parse(raw.details) : raw.details) as AuditDetails,
  };
}

const toHead = (raw: Record<string, unknown>): ChainHead => ({ chain: Number(raw.chain), seq: Number(raw.seq), hash: String(raw.hash) });

export function createAuditLogQueries(knex: Knex) {
  return {
    /**
     * Appends one entry to `chain`: locks the chain's head, lets `build` make the entry from it
     * (the hash is computed outside SQL), then inserts the entry and advances the head.
     */
    /** `outer`: the caller's transaction (the entry commits with the event it records, or not at all). */
    /**
     * Appends an entry as its chain's next one in a single statement: the head is locked
     * (`FOR UPDATE`, held to the end of the statement or the caller's transaction), the entry
     * takes its seq and prev_hash and the database finishes its hash from `parts`
     * (audit-chain.ts entryHashParts), and the insert advances the head (trigger
     * audit_log_next_in_chain). One round trip instead of BEGIN, the head, the insert, COMMIT.
     * A concurrent append to the same chain waits for the lock and then reads the moved head.
     */
    async appendAuditEntry(entry: Omit<AuditLogRow, 'seq' | 'prev_hash' | 'hash'>, parts: { before: string; between: string; after: string }, outer?: Knex.Transaction): Promise<AuditLogRow> {
      const result = await (outer ?? knex).raw(
        `WITH head AS (SELECT seq + 1 AS seq, hash AS prev_hash FROM audit_chain_heads WHERE chain = ? FOR UPDATE)
         INSERT INTO audit_log (chain, seq, occurred_at, type, citizen_id, client_id, actor, details, prev_hash, hash)
         SELECT ?, head.seq, ?::timestamptz, ?, ?, ?, ?, ?::jsonb, head.prev_hash,
                encode(sha256(convert_to(?::text || head.prev_hash || ?::text || head.seq::text || ?::text, 'UTF8')), 'hex')
           FROM head
         RETURNING seq, prev_hash, hash`,
        [entry.chain, entry.chain, entry.occurred_at.toISOString(), entry.type, entry.citizen_id, entry.client_id, entry.actor,
          JSON.stringify(entry.details), parts.before, parts.between, parts.after],
      );
      const written = (result as { rows: Array<{ seq: unknown; prev_hash: string; hash: string }> }).rows[0];
      if (!written) throw new Error(`audit chain ${entry.chain} has no head row`);
      return { ...entry, seq: Number(written.seq), prev_hash: written.prev_hash, hash: written.hash };
    },

    async findAuditEntryHash(chain: number, seq: number): Promise<string | undefined> {
      const row = await knex('audit_log').where({ chain, seq }).first('hash');
      return row?.hash as string | undefined;
    },
    async listChainHeads(): Promise<ChainHead[]> {
      return (await knex('audit_chain_heads').select('*').orderBy('chain')).map(toHead);
    },

    /** Every chain that holds entries (a loose index scan over the primary key). */
    async listAuditChains(): Promise<number[]> {
      const result = await knex.raw(`WITH RECURSIVE chains AS (
          (SELECT chain FROM audit_log ORDER BY chain LIMIT 1)
          UNION ALL
          SELECT (SELECT chain FROM audit_log WHERE chain > chains.chain ORDER BY chain LIMIT 1)
          FROM chains WHERE chains.chain IS NOT NULL)
        SELECT chain FROM chains WHERE chain IS NOT NULL`);
      return (result.rows as Array<{ chain: unknown }>).map((r) => Number(r.chain));
    },

    /** One page of a chain in seq order: entries after `afterSeq`, up to `throughSeq` if given. */
    async listChainEntries(chain: number, afterSeq: number, limit: number, throughSeq?: number): Promise<AuditLogRow[]> {
      const query = knex('audit_log').select(COLUMNS).where('chain', chain).andWhere('seq', '>', afterSeq);
      if (throughSeq !== undefined) query.andWhere('seq', '<=', throughSeq);
      return (await query.orderBy('seq').limit(limit)).map(toRow);
    },

    async listAuditEntriesForCitizen(citizenId: string, limit: number, before?: AuditPosition, exclude: AuditExclusion = {}): Promise<AuditLogRow[]> {
      const query = knex('audit_log').select(COLUMNS).where('citizen_id', citizenId);
      if (exclude.types?.length) query.whereNotIn('type', exclude.types);
      if (exclude.purposes?.length) {
        query.whereRaw(`coalesce(details->>'purpose', '') NOT IN (${exclude.purposes.map(() => '?').join(', ')})`, [...exclude.purposes]);
      }
      if (before) {
        query.andWhereRaw('(occurred_at, chain, seq) < (?::timestamptz, ?, ?)', [before.occurred_at.toISOString(), before.chain, before.seq]);
      }
      return (await query.orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'chain', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ]).limit(limit)).map(toRow);
    },

    /** The newest entries of the whole log: the last `limit` of each chain, merged. */
    async listLatestAuditEntries(limit: number): Promise<AuditLogRow[]> {
      const result = await knex.raw(`SELECT l.* FROM audit_chain_heads h
          CROSS JOIN LATERAL (SELECT * FROM audit_log WHERE audit_log.chain = h.chain ORDER BY seq DESC LIMIT ?) l
        ORDER BY l.occurred_at DESC, l.chain DESC, l.seq DESC LIMIT ?`, [limit, limit]);
      return (result.rows as Array<Record<string, unknown>>).map(toRow);
    },
  };
}

export type AuditLogQueries = ReturnType<typeof createAuditLogQueries>;
