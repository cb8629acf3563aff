// What an audit event may say, checked before anything is written.
// The audit log holds no plaintext identity data (DESIGN.md "Privacy by construction"), and a
// free-text check for "looks like a name" cannot work in general. So callers pass ids and claim
// NAMES only (`claims: ['age_over_18']`, never a claim's value), and the detail keys are an
// allow-list: a key outside it is refused, so nobody logs `{ name: … }` by accident. Adding a
// key here is a reviewed decision that its values never carry personal data.
import type { AuditActor, AuditDetails } from '../queries/audit-log.js';

export type { AuditActor, AuditDetails };

export const AUDIT_EVENT_TYPES = [
  'sign_in.succeeded', 'sign_in.failed',
  'consent.granted', 'consent.denied', 'claims.released',
  'grant.revoked', 'token.revoked',
  'account.applied', 'account.suspended', 'account.resumed', 'account.cancelled', 'account.recovered',
  'account.recovery_started', 'account.recovery_cancelled',
  'account.password_changed', 'account.two_factor_enabled', 'account.two_factor_disabled',
  'account.passkey_added', 'account.passkey_removed',
  'account.recovery_codes_issued', 'account.recovery_code_used',
  'account.contact_added', 'account.contact_removed',
  'guardian.approved', 'guardian.refused', 'guardian.revoked_connection', 'guardian.replaced',
  'identity.decrypted',
  'client.registered', 'client.updated', 'client.disabled', 'client.pkce_exception',
  'client.approved', 'client.activated', 'client.suspended', 'client.reactivated',
  'keys.rotated', 'kek.rotated',
  'attester.added', 'attester.revoked', 'identity.assurance_raised',
  'lawful_access.requested', 'lawful_access.approved', 'lawful_access.revealed', 'lawful_access.refused',
  'operator.bootstrapped', 'operator.created', 'operator.enrolled', 'operator.disabled',
  'operator.enrolment_reissued', 'operator.break_glass',
  'operator.signed_in', 'operator.sign_in_failed', 'operator.reauthenticated', 'operator.operation',
  'database.migrated',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_ACTORS: readonly AuditActor[] = ['citizen', 'operator', 'system', 'guardian', 'isp'];

/** Detail keys an entry may carry, and what each holds. None holds identity data. */
export const AUDIT_DETAIL_KEYS = {
  client_id: 'an ISP client id (when not the entry\'s own client)',
  grant_id: 'an oidc-provider grant id',
  channel: 'a notification channel (email, sms); never the address',
  claims: 'claim names, e.g. ["age_over_18"]; never values',
  scopes: 'scope names',
  fields: 'identity field names decrypted or revealed, e.g. ["name", "birth_date"]; never values',
  purpose: 'why identity data was decrypted (a code, e.g. "claims_release")',
  reason_code: 'a machine code, e.g. "invalid_credentials", "citizen_request"',
  status: 'a resulting status code',
  acr: 'assurance level reached',
  amr: 'authentication method references',
  token_type: 'which token kind was revoked',
  kid: 'a signing key id (or an enrolment attester key id)',
  attester_id: 'an enrolment attester id (uuid)',
  level: 'an identity assurance level (low, substantial, high)',
  evidence: 'an evidence kind, e.g. "attestation"; never its content',
  kids: 'signing key ids',
  alg: 'a JOSE algorithm name',
  kek_id: 'a key-encryption key id',
  count: 'how many items an operation touched',
  guardian_id: 'a guardian\'s internal citizen id (uuid)',
  operator_id: 'an operator account id (not a person\'s name)',
  case_reference: 'the lawful-access case number',
  authority_code: 'the requesting authority\'s code',
  lawful_access_id: 'a lawful-access request id (uuid)',
  decision_id: 'an ISP onboarding decision id (uuid; its reason is in client_decisions)',
  reason_digest: 'SHA-256 (hex) of a decision\'s free-text reason, which stays in its own table',
  // Lawful-access entries leave citizen_id empty so the citizen's activity does not show them
  // before the embargo ends (docs/lawful-access.md); the subject is recorded here instead.
  subject_id: 'the internal citizen id (uuid) a lawful-access entry concerns',
  request_id: 'the HTTP request id',
  ip_hash: 'a keyed hash of the client IP address, never the address',
  user_agent_family: 'browser family only, e.g. "Firefox"',
  target_operator_id: 'the operator account (uuid) an operator-management entry concerns',
  role: 'the operator role an operation was authorised by (src/operators/roles.ts)',
  roles: 'operator role names',
  profile: 'an ISP\'s security profile (fapi2, or default)',
  operation: 'an operator operation name, e.g. "isp.suspend" (src/operators/operations.ts)',
  os_user: 'the operating-system account that ran a CLI command on the database (a staff login, not a citizen)',
  host: 'the host name a CLI command ran on',
  device: 'browser and system families, e.g. "Firefox/Windows" (web/device-description.ts); never the User-Agent',
} as const;

export type AuditDetailKey = keyof typeof AUDIT_DETAIL_KEYS;

export type AuditEvent = {
  type: AuditEventType;
  /** The citizen's internal uuid; never the cyberspace ID or anything from the identity data. */
  citizenId?: string;
  clientId?: string;
  actor: AuditActor;
  details?: Partial<Record<AuditDetailKey, string | number | boolean | string[]>>;
};

/** A caller passed something the audit log must not hold: a programming error, not user input. */
export class AuditEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditEventError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
const MAX_STRING = 200;
const MAX_LIST = 64;
// jsonb refuses NUL; other control characters have no business in codes and ids.
const CONTROL = /[\u0000-\u001f\u007f]/;

const TYPES = new Set<string>(AUDIT_EVENT_TYPES);
const ACTORS = new Set<string>(AUDIT_ACTORS);
const DETAIL_KEYS = new Set(Object.keys(AUDIT_DETAIL_KEYS));

function checkString(key: string, value: string): void {
  if (value.length > MAX_STRING || CONTROL.test(value)) {
    throw new AuditEventError(`audit detail "${key}" must be a short code or id without control characters`);
  }
}

function checkDetails(details: Record<string, unknown>): AuditDetails {
  const checked: AuditDetails = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    if (!DETAIL_KEYS.has(key)) throw new AuditEventError(`audit detail key "${key}" is not allowed (see AUDIT_DETAIL_KEYS)`);
    if (typeof value === 'string') checkString(key, value);
    else if (Array.isArray(value)) {
      if (value.length > MAX_LIST || !value.every((item) => typeof item === 'string')) {
        throw new AuditEventError(`audit detail "${key}" must be a list of at most ${MAX_LIST} strings`);
      }
      for (const item of value) checkString(key, item);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new AuditEventError(`audit detail "${key}" must be a finite number`);
    } else if (typeof value !== 'boolean') {
      throw new AuditEventError(`audit detail "${key}" must be a string, number, boolean or list of strings`);
    }
    checked[key] = value as AuditDetails[string];
  }
  return checked;
}

/** Checks an event at run time (callers may be plain JavaScript or pass data through casts). */
export function checkAuditEvent(event: AuditEvent): { citizenId: string | null; clientId: string | null; details: AuditDetails } {
  if (!TYPES.has(event.type)) throw new AuditEventError(`unknown audit event type "${String(event.type)}"`);
  if (!ACTORS.has(event.actor)) throw new AuditEventError(`unknown audit actor "${String(event.actor)}"`);
  if (event.citizenId !== undefined && !UUID.test(event.citizenId)) {
    throw new AuditEventError('audit citizenId must be the internal uuid');
  }
  if (event.clientId !== undefined && !CLIENT_ID.test(event.clientId)) throw new AuditEventError('audit clientId is malformed');
  const details = checkDetails(event.details ?? {});
  for (const key of ['guardian_id', 'subject_id', 'lawful_access_id', 'decision_id', 'target_operator_id'] as const) {
    if (details[key] !== undefined && (typeof details[key] !== 'string' || !UUID.test(details[key]))) {
      throw new AuditEventError(`audit detail "${key}" must be a uuid`);
    }
  }
  return { citizenId: event.citizenId ?? null, clientId: event.clientId ?? null, details };
}
