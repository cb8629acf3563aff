// Operator accounts (issue 11): who may run the service, apart from citizens.
// - bootstrap() makes the first operator, once ever (the operator_bootstrap row), with the
//   operator_admin role and every other role, so a new installation can start work; after that
//   operators are created only through the operations layer by an operator_admin.
// - A new operator gets a one-time enrolment code (shown once, stored as SHA-256, expiring).
//   Redeeming it at /admin/enrol sets both factors — a password (argon2id) and a TOTP secret
//   sealed with the envelope — and only then is the account active: no operator can exist
//   without strong authentication.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ConflictError, FormError, ValidationError } from '../errors.js';
import type { Envelope } from '../crypto/envelope.js';
import { checkPassword } from '../identity/password-policy.js';
import type { OperatorQueries, OperatorRow } from '../queries/operators.js';
import type { AuditEvent } from '../services/audit.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import { ROLES, isRole, type Role } from './roles.js';
import { newTotpSecret, operatorTotp, operatorTotpAad, type OperatorCodeChecker } from './totp.js';

export const HANDLE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
/** Operators' passwords are longer than citizens' minimum: these accounts reach everyone's data. */
export const OPERATOR_PASSWORD_MIN = 12;
const ENROLMENT_MODEL = 'OperatorEnrolment';
const ENROLMENT_STEP_SECONDS = 600;

export type OperatorView = { id: string; handle: string; roles: Role[]; status: OperatorRow['status']; created_at: string; enrolled_at: string | null };
export type Enrolment = { operator: OperatorView; enrolment_code: string; expires_at: string };

export const operatorView = (row: OperatorRow): OperatorView => ({
  id: row.id,
  handle: row.handle,
  roles: row.roles,
  status: row.status,
  created_at: row.created_at.toISOString(),
  enrolled_at: row.enrolled_at ? row.enrolled_at.toISOString() : null,
});

type Dependencies = {
  queries: OperatorQueries;
  hasher: Pick<PasswordHasher, 'hash'>;
  envelope: Pick<Envelope, 'seal' | 'open'>;
  store: ModelStore & CounterStore;
  checkCode: OperatorCodeChecker;
  record: (event: AuditEvent) => Promise<void>;
  enrolmentSeconds: number;
  attempts: { attempts: number; windowSeconds: number };
};

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

function checkNew(input: { handle: unknown; roles: unknown }): { handle: string; roles: Role[] } {
  const problems: string[] = [];
  const handle = typeof input.handle === 'string' ? input.handle.trim().toLowerCase() : '';
  if (!HANDLE.test(handle)) problems.push('handle must be 2–64 lowercase letters, digits, ".", "_" or "-" (a staff login, not a person\'s name)');
  const roles = Array.isArray(input.roles) ? [...new Set(input.roles)] : [];
  if (roles.length === 0 || !roles.every(isRole)) problems.push(`roles must be one or more of ${ROLES.join(', ')}`);
  if (problems.length) throw new ValidationError(problems);
  return { handle, roles: roles as Role[] };
}

export function createOperatorAccounts({ queries, hasher, envelope, store, checkCode, record, enrolmentSeconds, attempts }: Dependencies) {
  function newEnrolment(handle: string, roles: Role[], createdBy: string | null) {
    const code = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + enrolmentSeconds * 1000);
    const row = { id: randomUUID(), handle, roles, enrolment_code_hash: digest(code), enrolment_expires_at: expiresAt, created_by: createdBy };
    return { row, code, expiresAt };
  }

  async function enrolled(row: OperatorRow, code: string, expiresAt: Date): Promise<Enrolment> {
    return { operator: operatorView(row), enrolment_code: code, expires_at: expiresAt.toISOString() };
  }

  return {
    /** The first operator, once ever: every role. Refused when the service was bootstrapped before. */
    async bootstrap(input: { handle: string }): Promise<Enrolment> {
      const { handle, roles } = checkNew({ handle: input.handle, roles: [...ROLES] });
      const { row, code, expiresAt } = newEnrolment(handle, roles, null);
      if (!(await queries.insertBootstrapOperator(row))) {
        throw new ConflictError('operators were bootstrapped already: further operators are created by an operator_admin in the console (/admin/operators)');
      }
      await record({ type: 'operator.bootstrapped', actor: 'operator', details: { target_operator_id: row.id, roles } });
      return enrolled((await queries.findOperatorById(row.id))!, code, expiresAt);
    },

    /** A further operator, created by an operator_admin (through operations.ts). */
    async create(createdBy: string, input: { handle: unknown; roles: unknown }): Promise<Enrolment> {
      const { handle, roles } = checkNew(input);
      const { row, code, expiresAt } = newEnrolment(handle, roles, createdBy);
      if (!(await queries.insertOperator(row))) throw new ConflictError('an operator has this handle already');
      await record({ type: 'operator.created', actor: 'operator', details: { target_operator_id: row.id, roles, status: 'enrolling' } });
      return enrolled((await queries.findOperatorById(row.id))!, code, expiresAt);
    },

    /**
     * First enrolment step: the handle, the one-time code and a new password. Returns a token for
     * the second step and the TOTP secret to put in an authenticator app; nothing is stored on
     * the account yet.
     */
    async beginEnrolment(input: { handle: string; code: string; password: string }): Promise<{ token: string; secret: string; uri: string }> {
      const handle = input.handle.trim().toLowerCase();
      if ((await store.increment(`operator-enrol:${digest(handle)}`, attempts.windowSeconds)) > attempts.attempts) throw new FormError({ code: 'throttled' });
      const row = HANDLE.test(handle) ? await queries.findOperatorByHandle(handle) : undefined;
      const expected = Buffer.from(row?.enrolment_code_hash ?? digest('no enrolment'));
      const matches = timingSafeEqual(Buffer.from(digest(input.code.trim())), expected);
      if (!row || !matches || row.status !== 'enrolling' || !row.enrolment_expires_at || row.enrolment_expires_at < new Date()) {
        throw new FormError({ code: 'invalid_enrolment' });
      }
      const password = input.password.normalize('NFC');
      const policy = checkPassword(password, [handle]);
      if (!policy.ok || [...password].length < OPERATOR_PASSWORD_MIN) throw new FormError({ password: policy.ok ? 'too_short' : policy.error });
      const secret = newTotpSecret();
      const token = randomBytes(32).toString('base64url');
      await store.upsert(ENROLMENT_MODEL, digest(token), {
        operatorId: row.id,
        passwordHash: await hasher.hash(password),
        sealed: envelope.seal(secret, `${operatorTotpAad(row.id)}/pending`),
      }, ENROLMENT_STEP_SECONDS);
      return { token, secret, uri: operatorTotp(secret, row.handle).toString() };
    },

    /** The secret of a pending enrolment (to show it again after a wrong code). */
    async pendingSecret(token: string): Promise<{ secret: string; uri: string } | undefined> {
      const held = await store.find(ENROLMENT_MODEL, digest(token));
      const row = held ? await queries.findOperatorById(String(held.operatorId)) : undefined;
      if (!held || !row) return undefined;
      const secret = envelope.open(String(held.sealed), `${operatorTotpAad(row.id)}/pending`);
      return { secret, uri: operatorTotp(secret, row.handle).toString() };
    },

    /** Second step: a current code from the authenticator proves it holds the secret; the account becomes active. */
    async completeEnrolment(token: string, code: string): Promise<OperatorView> {
      const held = await store.find(ENROLMENT_MODEL, digest(token));
      if (!held) throw new FormError({ code: 'expired' });
      const operatorId = String(held.operatorId);
      const secret = envelope.open(String(held.sealed), `${operatorTotpAad(operatorId)}/pending`);
      const result = await checkCode(operatorId, secret, code);
      if (result !== 'ok') throw new FormError({ code: result });
      if (!(await queries.completeEnrolment(operatorId, String(held.passwordHash), envelope.seal(secret, operatorTotpAad(operatorId))))) {
        throw new FormError({ code: 'invalid_enrolment' });
      }
      await store.destroy(ENROLMENT_MODEL, digest(token));
      await record({ type: 'operator.enrolled', actor: 'operator', details: { target_operator_id: operatorId, status: 'active' } });
      return operatorView((await queries.findOperatorById(operatorId))!);
    },

    /** A new enrolment code for an operator who lost a factor: both are forgotten until they enrol again. */
    async reissueEnrolment(id: string): Promise<Enrolment> {
      const code = randomBytes(24).toString('base64url');
      const expiresAt = new Date(Date.now() + enrolmentSeconds * 1000);
      if (!(await queries.resetEnrolment(id, digest(code), expiresAt))) throw new ConflictError('no such operator, or disabled');
      await record({ type: 'operator.enrolment_reissued', actor: 'operator', details: { target_operator_id: id, status: 'enrolling' } });
      return enrolled((await queries.findOperatorById(id))!, code, expiresAt);
    },

    /**
     * Break-glass from the shell (`cyberid operator break-glass`): a new operator_admin, only when
     * no active operator_admin is left to re-issue enrolments in the console. The entry names the
     * shell user and host (cli/invoker.ts). It gets that one role: the others are granted by it.
     */
    async breakGlass(input: { handle: string }): Promise<Enrolment> {
      if ((await queries.countActiveWithRole('operator_admin')) > 0) {
        throw new ConflictError('an active operator_admin exists: they issue new enrolment codes in the console (/admin/operators)');
      }
      const { handle, roles } = checkNew({ handle: input.handle, roles: ['operator_admin'] });
      const { row, code, expiresAt } = newEnrolment(handle, roles, null);
      if (!(await queries.insertOperator(row))) throw new ConflictError('an operator has this handle already');
      await record({ type: 'operator.break_glass', actor: 'operator', details: { target_operator_id: row.id, roles } });
      return enrolled((await queries.findOperatorById(row.id))!, code, expiresAt);
    },

    async disable(id: string): Promise<void> {
      if (!(await queries.disableOperator(id))) throw new ConflictError('no such operator, or already disabled');
      await record({ type: 'operator.disabled', actor: 'operator', details: { target_operator_id: id, status: 'disabled' } });
    },

    list: async () => (await queries.listOperators()).map(operatorView),
    find: (id: string) => queries.findOperatorById(id),
    findByHandle: (handle: string) => queries.findOperatorByHandle(handle),
    wasBootstrapped: () => queries.wasBootstrapped(),
  };
}

export type OperatorAccounts = ReturnType<typeof createOperatorAccounts>;
