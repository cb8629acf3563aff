// Every operator operation, by area, with its role (roles.ts) and whether it re-authenticates.
// Each one only calls the service that owns the rule; perform() (operations.ts) does the
// authorisation and the audit.
import type { ClientService } from '../services/clients.js';
import type { GrantRevocations } from '../services/grant-revocations.js';
import type { AccountLifecycle } from '../services/account-lifecycle.js';
import type { CitizenQueries } from '../queries/citizens.js';
import type { SigningKeyService } from '../services/signing-keys.js';
import type { AuditService } from '../services/audit.js';
import type { LawfulAccessService } from '../services/lawful-access.js';
import type { ClientOnboarding } from '../services/client-onboarding.js';

/** The services operators act through. */
export type OperatorServices = {
  clients: ClientService;
  clientOnboarding: ClientOnboarding;
  revocations: GrantRevocations;
  lifecycle: AccountLifecycle;
  citizenQueries: CitizenQueries;
  keys: SigningKeyService;
  audit: AuditService;
  lawfulAccess: LawfulAccessService;
};
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { LawfulAccessRequestInput } from '../services/lawful-access.js';
import type { LawfulAccessStatus } from '../queries/lawful-access.js';
import type { OperatorAccounts } from './accounts.js';
import type { OperatorAuthentication } from './authentication.js';
import { createIspOperations } from './isp-operations.js';
import { operation } from './operations.js';
import { activationDelayProblem } from '../oidc/key-reload.js';

type Dependencies = OperatorServices & {
  accounts: OperatorAccounts;
  authentication: Pick<OperatorAuthentication, 'endAll'>;
};

export function createOperationCatalogue(deps: Dependencies) {
  const { accounts, lifecycle, citizenQueries, keys, audit, lawfulAccess } = deps;

  /** A cyberspace ID's account state, and nothing about the person (account_support never sees identity data). */
  async function accountState(cyberspaceId: string) {
    const parsed = parseCyberspaceId(cyberspaceId);
    if (!parsed.ok) throw new ValidationError(['not a valid cyberspace ID']);
    const citizen = await citizenQueries.findCitizenByCyberspaceId(parsed.id);
    if (!citizen) throw new NotFoundError('no citizen has this cyberspace ID');
    return { cyberspace_id: citizen.cyberspace_id, status: citizen.status, suspended_by: citizen.suspended_by };
  }

  return {
    'operators.list': operation('operator_admin', false, () => accounts.list()),
    'operators.create': operation('operator_admin', true, (input: { handle: string; roles: string[] }, operator) => accounts.create(operator.id, input)),
    'operators.reenrol': operation('operator_admin', true, async (input: { operatorId: string }, operator) => {
      if (input.operatorId === operator.id) throw new ValidationError(['an operator cannot re-issue their own enrolment: ask another operator admin']);
      const enrolment = await accounts.reissueEnrolment(input.operatorId);
      await deps.authentication.endAll(input.operatorId);
      return enrolment;
    }),
    'operators.disable': operation('operator_admin', true, async (input: { operatorId: string }, operator) => {
      if (input.operatorId === operator.id) throw new ValidationError(['an operator cannot disable their own account']);
      await accounts.disable(input.operatorId);
      await deps.authentication.endAll(input.operatorId);
    }),

    ...createIspOperations(deps),

    'citizens.state': operation('account_support', false, (input: { cyberspaceId: string }) => accountState(input.cyberspaceId)),
    'citizens.suspend': operation('account_support', false, async (input: { cyberspaceId: string; reason: string }) => {
      await lifecycle.suspendByOperator(input.cyberspaceId, input.reason);
      return accountState(input.cyberspaceId);
    }),
    'citizens.resume': operation('account_support', false, async (input: { cyberspaceId: string }) => {
      await lifecycle.resumeByOperator(input.cyberspaceId);
      return accountState(input.cyberspaceId);
    }),

    'keys.list': operation('key_custodian', false, () => keys.describeKeys()),
    'keys.rotate': operation('key_custodian', true, async (input: { activateAfterSeconds: number }) => {
      // The console, the admin API and the CLI all meet the same minimum (oidc/key-reload.ts).
      const tooSoon = activationDelayProblem(input.activateAfterSeconds);
      if (tooSoon) throw new ValidationError([tooSoon]);
      const rotated = await keys.rotateSigningKeys(input.activateAfterSeconds);
      await audit.record({ type: 'keys.rotated', actor: 'operator', details: { kids: rotated.kids } });
      return rotated;
    }),

    'audit.verify': operation('auditor', false, () => audit.verify()),
    'audit.latest': operation('auditor', false, (input: { limit?: number }) => audit.latest(input)),

    // The ledger with each officer's handle beside their id (the console shows handles).
    'lawful_access.list': operation('lawful_access_officer', false, async (input: { status?: LawfulAccessStatus }) => {
      const [requests, operators] = await Promise.all([lawfulAccess.list(input), accounts.list()]);
      const handles = new Map(operators.map((o) => [o.id, o.handle]));
      const handle = (id: string | null) => (id ? handles.get(id) ?? id : null);
      return requests.map((r) => ({
        ...r,
        requesting_handle: handle(r.requesting_officer), approving_handle: handle(r.approving_officer),
        revealing_handle: handle(r.revealing_officer), refusing_handle: handle(r.refusing_officer),
      }));
    }),
    'lawful_access.request': operation('lawful_access_officer', true, (input: Omit<LawfulAccessRequestInput, 'officer'>, operator) =>
      lawfulAccess.request({ ...input, officer: operator.id })),
    'lawful_access.approve': operation('lawful_access_officer', true, (input: { id: string }, operator) => lawfulAccess.approve(input.id, operator.id)),
    'lawful_access.reveal': operation('lawful_access_officer', true, (input: { id: string }, operator) => lawfulAccess.reveal(input.id, operator.id)),
    'lawful_access.refuse': operation('lawful_access_officer', false, (input: { id: string }, operator) => lawfulAccess.refuse(input.id, operator.id)),
  };
}

export type OperationCatalogue = ReturnType<typeof createOperationCatalogue>;
export type OperationName = keyof OperationCatalogue;
