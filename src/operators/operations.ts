// The operations layer (issue 11): everything an operator can do, each operation declaring the
// one role that may perform it and whether it is sensitive. The console (src/routes/admin*.ts)
// calls perform() with the signed-in operator; a JSON admin API would call the same perform()
// with the operator its token is bound to. perform():
//   1. reads the operator again (disabled or changed roles take effect at once);
//   2. refuses an operator without the operation's role (ForbiddenError, audited);
//   3. for a sensitive operation, checks a fresh authenticator code (re-authentication);
//   4. runs the operation inside an audit context naming the operator, the role and the request
//      id, so the services' own entries say who acted (services/audit-context.ts);
//   5. records one operator.operation entry with the outcome (ok, refused, failed).
import { AppError, ForbiddenError } from '../errors.js';
import type { OperatorRow } from '../queries/operators.js';
import { withAuditContext } from '../services/audit-context.js';
import type { AuditEvent } from '../services/audit.js';
import type { Role } from './roles.js';
import type { OperatorAuthentication } from './authentication.js';

/**
 * Who asks: the operator a session (or an API token) is bound to, that session's key (where a
 * re-authentication is remembered for a few minutes), and the request being served.
 */
export type OperatorActor = { operatorId: string; sessionKey: string; requestId: string };

export type OperationSpec<I, O> = {
  role: Role;
  /** Needs a fresh authenticator code: disclosures, key operations, new operators. */
  sensitive: boolean;
  run(input: I, operator: OperatorRow): Promise<O>;
};

export const operation = <I, O>(role: Role, sensitive: boolean, run: (input: I, operator: OperatorRow) => Promise<O>): OperationSpec<I, O> =>
  ({ role, sensitive, run });

/** A refusal for lack of a role; the console shows it as such. */
export class RoleRequiredError extends ForbiddenError {
  constructor(readonly role: Role) {
    super(`this needs the ${role} role`);
  }
}

/** Any operation (inputs and outputs vary; perform() recovers each one's types from the catalogue). */
type AnySpec = OperationSpec<any, any>;
type InputOf<S> = S extends OperationSpec<infer I, unknown> ? I : never;
type OutputOf<S> = S extends OperationSpec<unknown, infer O> ? O : never;

type Dependencies<C extends Record<string, AnySpec>> = {
  catalogue: C;
  findOperator(id: string): Promise<OperatorRow | undefined>;
  authentication: Pick<OperatorAuthentication, 'reauthenticate'>;
  record(event: AuditEvent): Promise<void>;
};

export function createOperations<C extends Record<string, AnySpec>>({ catalogue, findOperator, authentication, record }: Dependencies<C>) {
  return {
    catalogue,

    /** The operations this operator's roles allow (the console's menu). */
    allowed: (operator: OperatorRow) => (Object.keys(catalogue) as Array<keyof C & string>).filter((name) => operator.roles.includes(catalogue[name]!.role)),

    async perform<K extends keyof C & string>(name: K, actor: OperatorActor, input: InputOf<C[K]>, proof: { reauthCode?: string } = {}): Promise<OutputOf<C[K]>> {
      const spec = catalogue[name]!;
      const operator = await findOperator(actor.operatorId);
      return withAuditContext({ operator_id: actor.operatorId, role: spec.role, request_id: actor.requestId }, async () => {
        const outcome = (status: string, reason?: string) =>
          record({ type: 'operator.operation', actor: 'operator', details: { operation: name, status, ...(reason ? { reason_code: reason } : {}) } });
        if (operator?.status !== 'active') {
          await outcome('refused', 'operator_inactive');
          throw new ForbiddenError('this operator account is not active');
        }
        if (!operator.roles.includes(spec.role)) {
          await outcome('refused', 'role_required');
          throw new RoleRequiredError(spec.role);
        }
        if (spec.sensitive) {
          try {
            await authentication.reauthenticate(operator, actor.sessionKey, proof.reauthCode);
          } catch (error) {
            await outcome('refused', 'reauthentication_required');
            throw error;
          }
        }
        try {
          const result = await spec.run(input, operator);
          await outcome('ok');
          return result as OutputOf<C[K]>;
        } catch (error) {
          await outcome('failed', error instanceof AppError ? error.code : 'error');
          throw error;
        }
      });
    },
  };
}
