// Lawful assistance (DESIGN.md "What the rules ask"; docs/lawful-access.md): the platform can
// provide only the real identity behind a cyberspace ID and its authentication log, and does so
// under a two-officer rule:
//   request (officer A) → approve (officer B ≠ A) → reveal (A or B), or refuse (any officer)
// - A request names the citizen's cyberspace ID, or the pairwise ID an ISP holds plus that ISP's
//   client id. The pairwise ID is an HMAC of (sector ‖ cyberspace ID): it cannot be reversed,
//   so it is resolved by search — for each citizen the ISP knows or knew, compute the ISP's
//   pairwise ID and compare. There is deliberately no stored pairwise ID → citizen index: such
//   a table would map every ISP's identifier to one person, the global identifier that pairwise
//   IDs exist to prevent (DESIGN.md, the Aadhaar cautionary tale). The search costs one HMAC per
//   citizen of that ISP, a few seconds for millions; lawful access is rare.
// - Officers are operator accounts (src/operators/), named by their id and read from the
//   operators table on every step: each must be active and hold lawful_access_officer, and the
//   approver must be a different account from the requester — the same person cannot be both
//   by typing two names. Case references and authority codes are codes; anything else (a name,
//   free text) is refused before anything is read or written.
// - The disclosure is time-limited: the reveal must follow the approval within a window
//   (24 h by default), and happens once.
// - Every step is an audit entry (lawful_access.requested / approved / revealed / refused, plus
//   identity.decrypted for the reveal). Those entries name the citizen in details.subject_id and
//   leave citizen_id empty, so the citizen's activity (the dashboard reads entries by
//   citizen_id) does not show the access early; disclosuresVisibleTo() shows it once the
//   recorded embargo has passed.
// - A cancelled account was crypto-shredded: its reveal gives the log and no identity.
import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { OfficerAccount } from './lawful-access-model.js';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { pairwiseCyberspaceId } from '../oidc/pairwise.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { LawfulAccessQueries, LawfulAccessRow, LawfulAccessStatus } from '../queries/lawful-access.js';
import type { AuditEntry, AuditEvent, ListOptions } from './audit.js';
import type { IdentityVault } from './identity-vault.js';
import type { AuthenticationLog } from './authentication-log.js';

export * from './lawful-access-model.js';
import {
  AUTHENTICATION_LOG_TYPES, AUTHORITY_CODE, CANDIDATE_PAGE, CASE_REFERENCE, CLIENT_ID, LOG_PAGE, UUID,
  chinaDate, checkOfficer, isCalendarDate, officerProblem, view,
  type AuthenticationLogEntry, type Disclosure, type LawfulAccessRequestInput, type LawfulAccessView, type VisibleDisclosure,
} from './lawful-access-model.js';
export { createSectorLookup } from './sector-lookup.js';

type Dependencies = {
  queries: LawfulAccessQueries;
  citizens: {
    findCitizenByCyberspaceId(cyberspaceId: string): Promise<CitizenRow | undefined>;
    findCitizenById(id: string): Promise<CitizenRow | undefined>;
  };
  audit: {
    record(event: AuditEvent): Promise<void>;
    listForCitizen(citizenId: string, options?: ListOptions): Promise<AuditEntry[]>;
  };
  /**
   * Decrypts the identity. The service records the identity.decrypted entry itself (with the
   * subject in details, not citizen_id), so pass a vault without an audit hook of its own.
   */
  vault: Pick<IdentityVault, 'open'>;
  /** The ISP's sector identifier (what its pairwise IDs are derived from), or undefined if unknown. */
  sectorOf(clientId: string): Promise<string | undefined>;
  pairwiseSecret: Buffer;
  /** The operator account behind an officer id (src/queries/operators.ts). */
  findOfficer(id: string): Promise<OfficerAccount | undefined>;
  /** How long after approval the disclosure may be revealed. */
  revealSeconds: number;
  /** The authentications with their network data; decrypted only by the reveal. */
  authenticationLog: Pick<AuthenticationLog, 'reveal'>;
  now?: () => Date;
};

export function createLawfulAccessService({ queries, citizens, audit, vault, sectorOf, pairwiseSecret, findOfficer, revealSeconds, authenticationLog: authLog, now = () => new Date() }: Dependencies) {
  /** An active operator holding lawful_access_officer, by id; refused otherwise (nothing written). */
  async function officerAccount(officerInput: unknown): Promise<string> {
    const id = checkOfficer(officerInput);
    const account = await findOfficer(id);
    if (account?.status !== 'active' || !account.roles.includes('lawful_access_officer')) {
      throw new ForbiddenError('the officer must be an active operator with the lawful_access_officer role');
    }
    return account.id;
  }

  async function load(id: string): Promise<LawfulAccessRow> {
    const row = typeof id === 'string' && UUID.test(id) ? await queries.findRequest(id) : undefined;
    if (!row) throw new NotFoundError('no lawful-access request has this id');
    return row;
  }

  const base = (row: LawfulAccessRow, officer: string) => ({
    lawful_access_id: row.id,
    subject_id: row.citizen_id,
    case_reference: row.case_reference,
    authority_code: row.authority_code,
    operator_id: officer,
  });

  /** A state change stands only with its audit entry: if the entry cannot be written, undo. */
  async function withAudit(event: AuditEvent, undo: () => Promise<unknown>): Promise<void> {
    try {
      await audit.record(event);
    } catch (error) {
      await undo().catch(() => undefined);
      throw error;
    }
  }

  async function resolvePairwise(pairwiseId: string, clientId: string): Promise<CitizenRow | undefined> {
    const sector = await sectorOf(clientId);
    if (!sector) throw new NotFoundError('no ISP client has this client id');
    for (let after: string | null = null; ;) {
      const page = await queries.listClientCitizens(clientId, after, CANDIDATE_PAGE);
      const match = page.find((candidate) => pairwiseCyberspaceId(pairwiseSecret, sector, candidate.cyberspace_id) === pairwiseId);
      if (match) return citizens.findCitizenById(match.id);
      if (page.length < CANDIDATE_PAGE) return undefined;
      after = page[page.length - 1]!.id;
    }
  }

  /**
   * The authentications with their network data (services/authentication-log.ts, decrypted here
   * and audited as identity.decrypted), merged with the account's events from the audit log,
   * newest first. Authentications older than AUTH_LOG_RETENTION_DAYS have been deleted.
   */
  async function authenticationLog(citizenId: string, access: ReturnType<typeof base>, clientId: string | null): Promise<AuthenticationLogEntry[]> {
    const network = await authLog.reveal(citizenId);
    if (network.length) {
      await audit.record({ type: 'identity.decrypted', clientId: clientId ?? undefined, actor: 'operator', details: { fields: ['network_address', 'user_agent'], purpose: 'lawful_access', lawful_access_id: access.lawful_access_id, subject_id: citizenId, operator_id: access.operator_id } });
    }
    const entries: AuthenticationLogEntry[] = network.map((e) => ({
      occurred_at: e.occurred_at,
      type: `${e.event}.${e.outcome}`,
      client_id: e.client_id,
      // The token endpoint is called by the ISP's server; the other steps by the citizen's browser.
      actor: e.event === 'code_exchange' || e.event === 'refresh' ? 'isp' : 'citizen',
      details: { ...(e.acr ? { acr: e.acr } : {}), ...(e.reason_code ? { reason_code: e.reason_code } : {}) },
      address: e.address,
      user_agent: e.user_agent,
    }));
    for (let before: AuditEntry | undefined; ;) {
      const page = await audit.listForCitizen(citizenId, { limit: LOG_PAGE, before });
      for (const e of page) {
        if (AUTHENTICATION_LOG_TYPES.has(e.type)) {
          entries.push({ occurred_at: e.occurredAt.toISOString(), type: e.type, client_id: e.clientId, actor: e.actor, details: e.details });
        }
      }
      if (page.length < LOG_PAGE) break;
      before = page[page.length - 1];
    }
    return entries.sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : a.occurred_at > b.occurred_at ? -1 : 0));
  }

  return {
    /** Records a pending request; returns its id. Nothing is revealed until a second officer approves. */
    async request(input: LawfulAccessRequestInput): Promise<{ id: string; status: 'pending' }> {
      const problems: string[] = [];
      const byCyberspaceId = input.cyberspaceId !== undefined;
      const byPairwise = input.pairwiseId !== undefined || input.clientId !== undefined;
      if (byCyberspaceId === byPairwise) problems.push('name the subject by a cyberspace ID, or by a pairwise ID with its ISP client id (not both)');
      const subject = byCyberspaceId ? input.cyberspaceId : input.pairwiseId;
      const parsed = typeof subject === 'string' ? parseCyberspaceId(subject) : undefined;
      if (byCyberspaceId && !parsed?.ok) problems.push('not a valid cyberspace ID');
      if (!byCyberspaceId && byPairwise) {
        if (!parsed?.ok) problems.push('not a valid pairwise ID');
        if (typeof input.clientId !== 'string' || !CLIENT_ID.test(input.clientId)) problems.push('a pairwise ID needs the ISP\'s client id');
      }
      if (typeof input.caseReference !== 'string' || !CASE_REFERENCE.test(input.caseReference)) {
        problems.push('case reference must be 2–64 letters, digits, ".", "_", "/" or "-", starting with a letter or digit');
      }
      if (typeof input.authorityCode !== 'string' || !AUTHORITY_CODE.test(input.authorityCode)) {
        problems.push('authority code must be 2–32 letters, digits, ".", "_" or "-"');
      }
      const officer = officerProblem(input.officer);
      if (officer) problems.push(officer);
      const embargo = input.embargoUntil;
      if (embargo !== undefined) {
        if (typeof embargo !== 'string' || !isCalendarDate(embargo)) problems.push('embargo date must be a real date, YYYY-MM-DD');
        else if (embargo < chinaDate(now())) problems.push('embargo date must not be in the past');
      }
      if (problems.length) throw new ValidationError(problems);
      await officerAccount(input.officer);

      const id = (parsed as { ok: true; id: string }).id;
      const clientId = byCyberspaceId ? null : input.clientId!;
      const citizen = clientId ? await resolvePairwise(id, clientId) : await citizens.findCitizenByCyberspaceId(id);
      const codes = { case_reference: input.caseReference, authority_code: input.authorityCode, operator_id: input.officer };
      if (!citizen) {
        // The attempt is on record too: looking people up is itself what oversight watches.
        await audit.record({ type: 'lawful_access.requested', clientId: clientId ?? undefined, actor: 'operator', details: { ...codes, status: 'no_match' } });
        throw new NotFoundError(clientId ? 'no citizen known to this ISP has this pairwise ID' : 'no citizen has this cyberspace ID');
      }

      const requestId = randomUUID();
      await queries.insertRequest({
        id: requestId,
        citizen_id: citizen.id,
        subject_kind: clientId ? 'pairwise' : 'cyberspace_id',
        client_id: clientId,
        case_reference: input.caseReference,
        authority_code: input.authorityCode,
        requesting_officer: input.officer,
        embargo_until: embargo ?? null,
      });
      await withAudit(
        { type: 'lawful_access.requested', clientId: clientId ?? undefined, actor: 'operator', details: { lawful_access_id: requestId, subject_id: citizen.id, ...codes, status: 'pending' } },
        () => queries.deleteRequest(requestId),
      );
      return { id: requestId, status: 'pending' };
    },

    /** The second officer's approval: a different officer from the requester, once. */
    async approve(id: string, officerInput: string): Promise<LawfulAccessView> {
      checkOfficer(officerInput);
      const row = await load(id);
      const officer = await officerAccount(officerInput);
      if (row.requesting_officer === officer) throw new ForbiddenError('the approving officer must not be the officer who made the request');
      if (row.status !== 'pending') throw new ConflictError(`the request is ${row.status}, not pending`);
      if (!(await queries.approve(row.id, officer))) throw new ConflictError(`the request is ${(await load(id)).status}, not pending`);
      const approved = await load(id);
      await withAudit(
        { type: 'lawful_access.approved', clientId: row.client_id ?? undefined, actor: 'operator', details: { ...base(row, officer), status: 'approved' } },
        () => queries.unapprove(row.id, officer),
      );
      return view(approved);
    },

    /**
     * The identity and the authentication log, to the requesting or approving officer, once, after
     * approval. Audited (identity.decrypted and lawful_access.revealed) before anything is returned.
     */
    async reveal(id: string, officerInput: string): Promise<Disclosure> {
      checkOfficer(officerInput);
      const row = await load(id);
      const officer = await officerAccount(officerInput);
      if (row.status === 'pending') throw new ConflictError('the request has not been approved by a second officer');
      if (row.status !== 'approved') throw new ConflictError(`the request is ${row.status}`);
      if (now().getTime() - row.approved_at!.getTime() > revealSeconds * 1000) {
        throw new ConflictError('the approval has expired: the disclosure was not revealed in time; make a new request');
      }
      if (officer !== row.requesting_officer && officer !== row.approving_officer) {
        throw new ForbiddenError('only the requesting or the approving officer may receive the disclosure');
      }
      if (!(await queries.markRevealed(row.id, officer))) throw new ConflictError(`the request is ${(await load(id)).status}`);
      try {
        const citizen = await citizens.findCitizenById(row.citizen_id);
        if (!citizen) throw new Error('lawful-access request names a citizen that does not exist');
        const opened = await vault.open(citizen.id, citizen, ['name', 'documentType', 'documentNumber', 'birthDate'], 'lawful_access');
        const fields = Object.keys(opened);
        const details = base(row, officer);
        if (fields.length) {
          await audit.record({ type: 'identity.decrypted', clientId: row.client_id ?? undefined, actor: 'operator', details: { fields, purpose: 'lawful_access', lawful_access_id: row.id, subject_id: citizen.id, operator_id: officer } });
        }
        const shredded = citizen.data_key === null;
        await audit.record({ type: 'lawful_access.revealed', clientId: row.client_id ?? undefined, actor: 'operator', details: { ...details, fields, status: 'revealed' } });
        return {
          id: row.id,
          status: 'revealed',
          case_reference: row.case_reference,
          cyberspace_id: citizen.cyberspace_id,
          account_status: citizen.status,
          identity: shredded ? null : {
            name: opened.name ?? null,
            document_type: opened.documentType ?? null,
            document_number: opened.documentNumber ?? null,
            birth_date: opened.birthDate ?? null,
          },
          ...(shredded ? { identity_note: 'the account was cancelled and its identity data crypto-shredded: only the authentication log remains' } : {}),
          authentication_log: await authenticationLog(citizen.id, details, row.client_id),
        };
      } catch (error) {
        await queries.unmarkRevealed(row.id, officer).catch(() => undefined);
        throw error;
      }
    },

    /** Ends a pending or approved request without disclosure (withdrawn by the requester, or denied). */
    async refuse(id: string, officerInput: string): Promise<LawfulAccessView> {
      checkOfficer(officerInput);
      const row = await load(id);
      const officer = await officerAccount(officerInput);
      if (row.status !== 'pending' && row.status !== 'approved') throw new ConflictError(`the request is already ${row.status}`);
      if (!(await queries.refuse(row.id, officer))) throw new ConflictError(`the request is already ${(await load(id)).status}`);
      await audit.record({ type: 'lawful_access.refused', clientId: row.client_id ?? undefined, actor: 'operator', details: { ...base(row, officer), status: 'refused' } });
      return view(await load(id));
    },

    async get(id: string): Promise<LawfulAccessView> {
      return view(await load(id));
    },

    /** The ledger, newest first. It names no citizen: it is not a way to look people up. */
    async list(options: { status?: LawfulAccessStatus; limit?: number } = {}): Promise<LawfulAccessView[]> {
      const limit = options.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError(['limit must be a whole number from 1 to 1000']);
      if (options.status && !['pending', 'approved', 'revealed', 'refused'].includes(options.status)) {
        throw new ValidationError(['status must be pending, approved, revealed or refused']);
      }
      return (await queries.listRequests({ status: options.status, limit })).map(view);
    },

    /**
     * For the citizen's activity: accesses to their data that were revealed and whose embargo
     * has passed (the day after embargo_until, China Standard Time; at once with no embargo).
     * Case reference and date only. `citizenId` is the internal uuid.
     */
    async disclosuresVisibleTo(citizenId: string, at: Date = now()): Promise<VisibleDisclosure[]> {
      const rows = await queries.listDisclosures(citizenId, chinaDate(at));
      return rows.map((r) => ({ caseReference: r.case_reference, date: r.revealed_at }));
    },
  };
}

export type LawfulAccessService = ReturnType<typeof createLawfulAccessService>;
