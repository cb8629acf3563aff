// The audit log: sign-ins, releases, consents, revocations, operator actions, key rotations and
// every access to decrypted identity data; the authentication log that lawful assistance relies
// on, and the activity a citizen sees on their dashboard.
// - record() appends to one of several hash chains (audit-chain.ts), locking only that chain.
//   It rejects when the entry could not be written: callers must not swallow that, since the
//   log has to be complete.
// - Entries hold ids and allow-listed codes only (audit-events.ts), never identity data.
// - verify() recomputes every chain and compares it with the chain heads.
import type { Knex } from 'knex';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AuditExclusion, AuditLogQueries, AuditLogRow, AuditPosition } from '../queries/audit-log.js';
import { chainFor, createChainChecker, entryHashParts, type ChainProblem } from './audit-chain.js';
import { checkAuditEvent, type AuditActor, type AuditEvent } from './audit-events.js';
import { currentAuditContext } from './audit-context.js';

export { AUDIT_EVENT_TYPES, AUDIT_DETAIL_KEYS, AuditEventError } from './audit-events.js';
export type { AuditActor, AuditDetails, AuditDetailKey, AuditEvent, AuditEventType } from './audit-events.js';
export { AUDIT_CHAINS, type ChainProblem } from './audit-chain.js';

export type AuditEntry = {
  chain: number;
  seq: number;
  occurredAt: Date;
  type: string;
  citizenId: string | null;
  clientId: string | null;
  actor: AuditActor;
  details: AuditLogRow['details'];
};

export type ListOptions = {
  limit?: number;
  /** Continue after this entry (pass the last entry of the previous page). */
  before?: Pick<AuditEntry, 'occurredAt' | 'chain' | 'seq'>;
  /** Entries to leave out (the citizen's own view hides what is under embargo). */
  exclude?: AuditExclusion;
};

export type VerifyResult = { ok: true; entries: number } | { ok: false; entries: number; problems: ChainProblem[] };

type Dependencies = {
  queries: AuditLogQueries;
  /** Resolves a cyberspace ID to the internal id (whatever the account's status). */
  citizens?: { findCitizenByCyberspaceId(cyberspaceId: string): Promise<{ id: string } | undefined> };
  /** Where recordDetached reports a write that failed. */
  onDetachedFailure?: (error: unknown, event: AuditEvent) => void;
};

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const VERIFY_PAGE = 2000;

const toEntry = (row: AuditLogRow): AuditEntry => ({
  chain: row.chain,
  seq: row.seq,
  occurredAt: row.occurred_at,
  type: row.type,
  citizenId: row.citizen_id,
  clientId: row.client_id,
  actor: row.actor,
  details: row.details,
});

function pageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(size) || size < 1 || size > MAX_LIMIT) throw new ValidationError([`limit must be a whole number from 1 to ${MAX_LIMIT}`]);
  return size;
}

export function createAuditService({ queries, citizens, onDetachedFailure }: Dependencies) {
  async function verifyChain(chain: number, head: { seq: number; hash: string } | undefined) {
    const checker = createChainChecker(chain);
    // Bounded by the head read beforehand: entries appended meanwhile belong to a later head.
    for (let after = 0; ;) {
      const page = await queries.listChainEntries(chain, after, VERIFY_PAGE, head?.seq);
      for (const row of page) checker.check(row);
      if (page.length < VERIFY_PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    return checker.finish(head && { chain, ...head });
  }

  const service = {
    /**
     * Records without making the caller wait: for failed sign-ins, whose response time must not
     * depend on whether the account exists. A failed write is reported, never lost silently.
     */
    recordDetached(event: AuditEvent): void {
      service.record(event).catch((error: unknown) => onDetachedFailure?.(error, event));
    },

    /** `trx`: record inside the caller's transaction, so the entry and its event commit together. */
    async record(event: AuditEvent, options: { trx?: Knex.Transaction } = {}): Promise<void> {
      // Who acted (audit-context.ts): the operator, role and request, or the CLI's user and host.
      const { citizenId, clientId, details } = checkAuditEvent({ ...event, details: { ...currentAuditContext(), ...event.details } });
      const occurredAt = new Date();
      const chain = chainFor({ citizenId, clientId, actor: event.actor });
      const entry = { chain, occurred_at: occurredAt, type: event.type, citizen_id: citizenId, client_id: clientId, actor: event.actor, details };
      await queries.appendAuditEntry(entry, entryHashParts(entry), options.trx);
    },

    /** A citizen's activity, newest first. `citizenId` is the internal uuid. */
    async listForCitizen(citizenId: string, options: ListOptions = {}): Promise<AuditEntry[]> {
      const { before } = options;
      const position: AuditPosition | undefined = before && { occurred_at: before.occurredAt, chain: before.chain, seq: before.seq };
      return (await queries.listAuditEntriesForCitizen(citizenId, pageSize(options.limit), position, options.exclude)).map(toEntry);
    },

    /** The same, found by cyberspace ID (operators, lawful assistance); forgiving entry. */
    async listForCyberspaceId(input: string, options: ListOptions = {}): Promise<AuditEntry[]> {
      const parsed = parseCyberspaceId(input);
      if (!parsed.ok) throw new ValidationError(['not a valid cyberspace ID']);
      if (!citizens) throw new Error('audit service was built without a citizen lookup');
      const citizen = await citizens.findCitizenByCyberspaceId(parsed.id);
      if (!citizen) throw new NotFoundError('no citizen has this cyberspace ID');
      return service.listForCitizen(citizen.id, options);
    },

    /** The newest entries of the whole log. */
    async latest(options: { limit?: number } = {}): Promise<AuditEntry[]> {
      return (await queries.listLatestAuditEntries(pageSize(options.limit))).map(toEntry);
    },

    /**
     * The chain heads, to be kept outside the database (write-once storage, a printed record):
     * someone able to disable the triggers could rewrite a chain from any entry through its head
     * consistently, but not the history an anchor taken earlier has fixed.
     */
    async anchor(): Promise<AuditAnchor> {
      const heads = await queries.listChainHeads();
      return { taken_at: new Date().toISOString(), heads: heads.map((h) => ({ chain: h.chain, seq: Number(h.seq), hash: h.hash })) };
    },

    async verify(anchors: AuditAnchor[] = []): Promise<VerifyResult> {
      const anchored: ChainProblem[] = [];
      for (const anchor of anchors) {
        for (const head of anchor.heads) {
          if (head.seq === 0) continue;
          const hash = await queries.findAuditEntryHash(head.chain, head.seq);
          if (hash !== head.hash) {
            anchored.push({ chain: head.chain, seq: head.seq, problem: `differs from the anchor taken ${anchor.taken_at} (${hash ? 'rewritten' : 'missing'})` });
          }
        }
      }
      const result = await verifyChains();
      if (anchored.length === 0) return result;
      return { ok: false, entries: result.entries, problems: [...(result.ok ? [] : result.problems), ...anchored] };
    },
  };

  async function verifyChains(): Promise<VerifyResult> {
    const heads = new Map((await queries.listChainHeads()).map((h) => [h.chain, h]));
    const chains = [...new Set([...heads.keys(), ...(await queries.listAuditChains())])].sort((a, b) => a - b);
    const results = await Promise.all(chains.map((chain) => verifyChain(chain, heads.get(chain))));
    const entries = results.reduce((sum, r) => sum + r.entries, 0);
    const problems = results.flatMap((r) => r.problems);
    return problems.length ? { ok: false, entries, problems } : { ok: true, entries };
  }
  return service;
}

/** A record of every chain's head at one moment (see anchor()). */
export type AuditAnchor = { taken_at: string; heads: Array<{ chain: number; seq: number; hash: string }> };

export function parseAuditAnchor(text: string): AuditAnchor {
  const value = JSON.parse(text) as Partial<AuditAnchor>;
  const valid = typeof value.taken_at === 'string' && Array.isArray(value.heads)
    && value.heads.every((h) => Number.isInteger(h?.chain) && Number.isInteger(h?.seq) && typeof h?.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash));
  if (!valid) throw new ValidationError(['not an audit anchor: expected {"taken_at": "…", "heads": [{"chain", "seq", "hash"}…]} as printed by `cyberid audit anchor`']);
  return value as AuditAnchor;
}

export type AuditService = ReturnType<typeof createAuditService>;
