// The lawful-access ledger's vocabulary: input formats, the views the CLI prints, what the
// "authentication log" contains, and the small pure helpers the service uses.
import { ValidationError } from '../errors.js';
import { todayInChina } from '../identity/age.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { LawfulAccessRow, LawfulAccessStatus, SubjectKind } from '../queries/lawful-access.js';
import type { AuditEntry, AuditEventType } from './audit.js';

export const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$/;
export const AUTHORITY_CODE = /^[A-Za-z0-9._-]{2,32}$/;
export const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const CANDIDATE_PAGE = 5000;
export const LOG_PAGE = 1000;

/**
 * What "authentication log" means here: how the person authenticated, to which ISPs, from which
 * network address and User-Agent (services/authentication-log.ts: sign-ins, codes, tokens), and
 * from the audit log what was released and revoked, and the account's life. Internal records
 * such as identity.decrypted are not part of it (the rules allow the identity and the
 * authentication log, nothing more).
 */
export const AUTHENTICATION_LOG_TYPES: ReadonlySet<string> = new Set<AuditEventType>([
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
  /** The requesting officer's operator account id (uuid): an active operator with the lawful_access_officer role. */
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
  /** e.g. sign_in.succeeded, authorization.failed, code_exchange.succeeded, consent.granted */
  type: string;
  client_id: string | null;
  actor: string;
  details: AuditEntry['details'];
  /** Network data, for the authentications only: the requester's address and User-Agent. */
  address?: string | null;
  user_agent?: string | null;
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

/** What the service needs to know about an officer: their operator account, read by id. */
export type OfficerAccount = { id: string; status: string; roles: readonly string[] };

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function chinaDate(now: Date): string {
  const { year, month, day } = todayInChina(now);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function officerProblem(officer: unknown, label = 'officer'): string | undefined {
  return typeof officer === 'string' && UUID.test(officer)
    ? undefined
    : `${label} must be an operator account id (the uuid of a signed-in operator, not a name)`;
}

export function checkOfficer(officer: unknown): string {
  const problem = officerProblem(officer);
  if (problem) throw new ValidationError([problem]);
  return officer as string;
}

export const view = (row: LawfulAccessRow): LawfulAccessView => ({
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

