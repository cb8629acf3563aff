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
// - Officers are operator account ids (badge numbers), case references and authority codes are
//   codes; anything else (a name, free text) is refused before anything is read or written.
// - Every step is an audit entry (lawful_access.requested / approved / revealed / refused, plus
//   identity.decrypted for the reveal). Those entries name the citizen in details.subject_id and
//   leave citizen_id empty, so the citizen's activity (the dashboard reads entries by
//   citizen_id) does not show the access early; disclosuresVisibleTo() shows it once the
//   recorded embargo has passed.
// - A cancelled account was crypto-shredded: its reveal gives the log and no identity.
import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { todayInChina } from '../identity/age.js';
import { pairwiseCyberspaceId } from '../oidc/pairwise.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { LawfulAccessQueries, LawfulAccessRow, LawfulAccessStatus, SubjectKind } from '../queries/lawful-access.js';
import type { AuditEntry, AuditEvent, AuditEventType, ListOptions } from './audit.js';
import type { IdentityVault } from './identity-vault.js';

export const OFFICER_ID = /^[A-Za-z0-9._-]{2,64}$/;
export const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$/;
export const AUTHORITY_CODE = /^[A-Za-z0-9._-]{2,32}$/;
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CANDIDATE_PAGE = 5000;
const LOG_PAGE = 1000;

/**
 * What "authentication log" means here: how the person authenticated, to which ISPs, what was
 * released and revoked, and the account's life. Internal records such as identity.decrypted are
 * not part of it (the rules allow the identity and the authentication log, nothing more).
 */
export const AUTHENTICATION_LOG_TYPES: ReadonlySet<string> = new Set<AuditEventType>([
  'sign_in.succeeded', 'sign_in.failed',
  'consent.granted', 'consent.denied', 'claims.released',
  'grant.revoked', 'token.revoked',
  'account.applied', 'account.suspended', 'account.resumed', 'account.cancelled', 'account.recovered',
  'guardian.approved', 'guardian.revoked_connection',
]);

export type LawfulAccessRequestInput = {
  /** The citizen's cyberspace ID (forgiving entry)… */
  cyberspaceId?: string;
  /** …or the pairwise ID an ISP holds, with that ISP's client id. */
  pairwiseId?: string;
  clientId?: string;
  caseReference: string;
  authorityCode: string;
  /** The requesting officer's operator account id. */
  officer: string;
  /** YYYY-MM-DD, China Standard Time: the citizen sees the access from the day after. Omitted: no embargo. */
  embargoUntil?: string;
};

export type LawfulAccessView = {
  id: string;
  status: LawfulAccessStatus;
  subject_kind: SubjectKind;
  client_id: string | null;
  case_reference: string;
  authority_code: string;
  requesting_officer: string;
  approving_officer: string | null;
  revealing_officer: string | null;
  refusing_officer: string | null;
  embargo_until: string | null;
  created_at: string;
  approved_at: string | null;
  revealed_at: string | null;
  refused_at: string | null;
};

export type AuthenticationLogEntry = {
  occurred_at: string;
  type: string;
  client_id: string | null;
  actor: string;
  details: AuditEntry['details'];
};

export type Disclosure = {
  id: string;
  status: LawfulAccessStatus;
  case_reference: string;
  cyberspace_id: string;
  account_status: CitizenRow['status'];
  /** null when the account was cancelled: its identity data was crypto-shredded. */
  identity: { name: string | null; document_type: string | null; document_number: string | null; birth_date: string | null } | null;
  identity_note?: string;
  /** Newest first. */
  authentication_log: AuthenticationLogEntry[];
};

/**
 * What the citizen sees about one access, once its embargo has passed: the case and the date it
 * was revealed (the shape of LawfulDisclosure in src/services/activity.ts).
 */
export type VisibleDisclosure = { caseReference: string; date: Date };

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
  now?: () => Date;
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function chinaDate(now: Date): string {
  const { year, month, day } = todayInChina(now);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function officerProblem(officer: unknown, label = 'officer'): string | undefined {
  return typeof officer === 'string' && OFFICER_ID.test(officer)
    ? undefined
    : `${label} must be an operator account id: 2–64 letters, digits, ".", "_" or "-" (not a name)`;
}

function checkOfficer(officer: unknown): string {
  const problem = officerProblem(officer);
  if (problem) throw new ValidationError([problem]);
  return officer as string;
}

const view = (row: LawfulAccessRow): LawfulAccessView => ({
  id: row.id,
  status: row.status,
  subject_kind: row.subject_kind,
  client_id: row.client_id,
  case_reference: row.case_reference,
  authority_code: row.authority_code,
  requesting_officer: row.requesting_officer,
  approving_officer: row.approving_officer,
  revealing_officer: row.revealing_officer,
  refusing_officer: row.refusing_officer,
  embargo_until: row.embargo_until,
  created_at: row.created_at.toISOString(),
  approved_at: iso(row.approved_at),
  revealed_at: iso(row.revealed_at),
  refused_at: iso(row.refused_at),
});

/**
 * The sector an ISP's pairwise IDs are derived from: oidc-provider's own value for a live
 * client; for a disabled one (oidc-provider no longer loads it) the same rule applied to its
 * stored metadata — the host of sector_identifier_uri, else of the first redirect URI.
 */
export function createSectorLookup(deps: {
  /** oidc-provider's Client.find (its published types omit sectorIdentifier). */
  findClient(clientId: string): Promise<object | undefined>;
  findStoredMetadata(clientId: string): Promise<Record<string, unknown> | undefined>;
}) {
  return async (clientId: string): Promise<string | undefined> => {
    const client = await deps.findClient(clientId);
    if (client) {
      const { sectorIdentifier } = client as { sectorIdentifier?: unknown };
      return typeof sectorIdentifier === 'string' ? sectorIdentifier : undefined;
    }
    const metadata = await deps.findStoredMetadata(clientId);
    if (!metadata) return undefined;
    const uri = typeof metadata.sector_identifier_uri === 'string'
      ? metadata.sector_identifier_uri
      : Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris[0] : undefined;
    try {
      return typeof uri === 'string' ? new URL(uri).host : undefined;
    } catch {
      return undefined;
    }
  };
}

export function createLawfulAccessService({ queries, citizens, audit, vault, sectorOf, pairwiseSecret, now = () => new Date() }: Dependencies) {
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

  async function authenticationLog(citizenId: string): Promise<AuthenticationLogEntry[]> {
    const entries: AuthenticationLogEntry[] = [];
    for (let before: AuditEntry | undefined; ;) {
      const page = await audit.listForCitizen(citizenId, { limit: LOG_PAGE, before });
      for (const e of page) {
        if (AUTHENTICATION_LOG_TYPES.has(e.type)) {
          entries.push({ occurred_at: e.occurredAt.toISOString(), type: e.type, client_id: e.clientId, actor: e.actor, details: e.details });
        }
      }
      if (page.length < LOG_PAGE) return entries;
      before = page[page.length - 1];
    }
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
      const officer = checkOfficer(officerInput);
      const row = await load(id);
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
      const officer = checkOfficer(officerInput);
      const row = await load(id);
      if (row.status === 'pending') throw new ConflictError('the request has not been approved by a second officer');
      if (row.status !== 'approved') throw new ConflictError(`the request is ${row.status}`);
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
          authentication_log: await authenticationLog(citizen.id),
        };
      } catch (error) {
        await queries.unmarkRevealed(row.id, officer).catch(() => undefined);
        throw error;
      }
    },

    /** Ends a pending or approved request without disclosure (withdrawn by the requester, or denied). */
    async refuse(id: string, officerInput: string): Promise<LawfulAccessView> {
      const officer = checkOfficer(officerInput);
      const row = await load(id);
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
