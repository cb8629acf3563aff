// The audit log's hash chains: which chain an event joins, how an entry is hashed, and how a
// chain is checked. Pure functions, so the format can be re-implemented by an auditor:
//   hash = hex(SHA-256(UTF-8(canonical JSON of
//            { actor, chain, citizen_id, client_id, details, occurred_at, prev_hash, seq, type })))
// where canonical JSON has object keys sorted (recursively), no whitespace, JSON.stringify
// escaping, absent ids as null, occurred_at as ISO 8601 UTC with milliseconds, and the first
// entry of every chain has prev_hash = 64 zeros.
import { createHash } from 'node:crypto';
import type { AuditLogRow, ChainHead } from '../queries/audit-log.js';

/** How many chains events are spread over (heads seeded by the migration). */
export const AUDIT_CHAINS = 16;
export const GENESIS_HASH = '0'.repeat(64);

export type ChainProblem = { chain: number; seq: number; problem: string };

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type HashedFields = Omit<AuditLogRow, 'hash'>;

export function entryHash(entry: HashedFields): string {
  const canonical = canonicalJson({
    chain: entry.chain,
    seq: entry.seq,
    prev_hash: entry.prev_hash,
    occurred_at: entry.occurred_at.toISOString(),
    type: entry.type,
    citizen_id: entry.citizen_id,
    client_id: entry.client_id,
    actor: entry.actor,
    details: entry.details,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * entryHash for an entry whose place in its chain is not known yet: the canonical JSON cut where
 * `prev_hash` and `seq` go (keys sort as actor, chain, citizen_id, client_id, details,
 * occurred_at, prev_hash, seq, type), so that the database can finish it under the chain head's
 * lock: hash = SHA-256(before ‖ prev_hash ‖ between ‖ seq ‖ after), the same bytes entryHash
 * hashes (test/unit/audit-hash-parts.test.ts).
 */
export function entryHashParts(entry: Omit<HashedFields, 'seq' | 'prev_hash'>): { before: string; between: string; after: string } {
  const rest = canonicalJson({
    chain: entry.chain,
    occurred_at: entry.occurred_at.toISOString(),
    citizen_id: entry.citizen_id,
    client_id: entry.client_id,
    actor: entry.actor,
    details: entry.details,
  });
  return { before: `${rest.slice(0, -1)},"prev_hash":"`, between: '","seq":', after: `,"type":${canonicalJson(entry.type)}}` };
}

/**
 * The chain an event joins: a citizen's events stay together (so their order is provable); events
 * without a citizen spread by client, then by actor.
 */
export function chainFor(key: { citizenId: string | null; clientId: string | null; actor: string }): number {
  const source = key.citizenId ? `citizen:${key.citizenId}` : key.clientId ? `client:${key.clientId}` : `actor:${key.actor}`;
  return createHash('sha256').update(source, 'utf8').digest().readUInt32BE(0) % AUDIT_CHAINS;
}

const span = (from: number, to: number) => (from === to ? `entry ${from} is` : `entries ${from}..${to} are`);

/**
 * Checks one chain fed entry by entry in seq order, then against its head. Reports at most one
 * problem per entry, at the seq where the chain breaks.
 */
export function createChainChecker(chain: number) {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let previousHash = GENESIS_HASH;
  let entries = 0;
  // A link is only checked from a sound entry: one break is reported once, where it starts.
  let previousSound = true;
  const report = (seq: number, problem: string) => problems.push({ chain, seq, problem });

  return {
    check(entry: AuditLogRow): void {
      entries += 1;
      const before = problems.length;
      let linked = previousSound;
      if (entry.seq > expectedSeq) {
        report(expectedSeq, `${span(expectedSeq, entry.seq - 1)} missing`);
        linked = false;
      }
      if (entry.seq < expectedSeq) report(entry.seq, 'entry has an impossible seq');
      else if (entryHash(entry) !== entry.hash) report(entry.seq, 'entry was changed or moved: its content does not match its hash');
      else if (linked && entry.prev_hash !== previousHash) {
        report(entry.seq, `entry does not follow entry ${entry.seq - 1}: an entry was removed, inserted, changed or reordered`);
      }
      previousSound = problems.length === before;
      previousHash = entry.hash;
      expectedSeq = Math.max(expectedSeq, entry.seq + 1);
    },

    finish(head: ChainHead | undefined): { entries: number; problems: ChainProblem[] } {
      const lastSeq = expectedSeq - 1;
      if (!head) report(lastSeq, 'chain has entries but no head');
      else if (head.seq > lastSeq) report(lastSeq + 1, `${span(lastSeq + 1, head.seq)} missing: the chain head is at ${head.seq}`);
      else if (head.seq === lastSeq && head.hash !== previousHash) report(lastSeq, 'last entry does not match the chain head');
      return { entries, problems };
    },
  };
}
