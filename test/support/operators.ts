// Operators for tests, through the real services: bootstrap (or create, by an operator_admin),
// enrol with a password and an authenticator, sign in. Codes come from the enrolled secret, as an
// authenticator app would make them; `step` picks the previous/current/next 30-second code (each
// is accepted once, RFC 6238 §5.2).
import { operatorTotp } from '../../src/operators/totp.js';
import type { Container } from '../../src/container.js';
import type { Role } from '../../src/operators/roles.js';
import type { OperatorActor } from '../../src/operators/operations.js';

export type TestOperator = { id: string; handle: string; password: string; secret: string; roles: Role[]; used?: Set<number> };

export const OPERATOR_PASSWORD = 'operator passphrase for tests';

let counter = 0;
export const uniqueHandle = (prefix = 'op') => `${prefix}-${process.pid}-${(counter += 1)}`;

export function codeFor(secret: string, step: -1 | 0 | 1 = 0): string {
  return operatorTotp(secret, 'test').generate({ timestamp: Date.now() + step * 30_000 });
}

/**
 * A code the operator has not used yet: the current step's, else the next one's, else the
 * previous one's; when all three are spent, waits for the next step.
 */
export async function freshCode(operator: TestOperator): Promise<string> {
  operator.used ??= new Set();
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = [now, now + 1, now - 1].find((s) => !operator.used!.has(s));
    if (step !== undefined) {
      operator.used.add(step);
      return operatorTotp(operator.secret, 'test').generate({ timestamp: step * 30_000 + 15_000 });
    }
    await new Promise((resolve) => setTimeout(resolve, (now + 1) * 30_000 - Date.now() + 50));
  }
}

/** Redeems an enrolment code: password, then the previous step's code from the new secret (the current one stays free for signing in). */
export async function enrol(container: Container, handle: string, enrolmentCode: string, password = OPERATOR_PASSWORD): Promise<{ secret: string; used: Set<number> }> {
  const { token, secret } = await container.operators.accounts.beginEnrolment({ handle, code: enrolmentCode, password });
  const step = Math.floor(Date.now() / 30_000) - 1;
  await container.operators.accounts.completeEnrolment(token, operatorTotp(secret, 'test').generate({ timestamp: step * 30_000 + 15_000 }));
  return { secret, used: new Set([step]) };
}

/** The bootstrap operator (every role), enrolled. Only once per app. */
export async function bootstrapOperator(container: Container, handle = uniqueHandle('root')): Promise<TestOperator> {
  const enrolment = await container.operators.accounts.bootstrap({ handle });
  const { secret, used } = await enrol(container, handle, enrolment.enrolment_code);
  return { id: enrolment.operator.id, handle, password: OPERATOR_PASSWORD, secret, used, roles: enrolment.operator.roles };
}

/** Signs in through the service; the actor to perform operations with. */
export async function signIn(container: Container, operator: TestOperator): Promise<OperatorActor & { token: string }> {
  const { token } = await container.operators.authentication.signIn({ handle: operator.handle, password: operator.password, code: await freshCode(operator), address: '127.0.0.1' });
  const session = await container.operators.authentication.session(token);
  return { operatorId: operator.id, sessionKey: session!.sessionKey, requestId: `test-${(counter += 1)}`, token };
}

/** A further operator with these roles, created in the operations layer by `admin` and enrolled. */
export async function addOperator(container: Container, admin: { actor: OperatorActor; operator: TestOperator }, roles: Role[], handle = uniqueHandle(roles[0]!.replaceAll('_', '-'))): Promise<TestOperator> {
  const enrolment = await container.operators.operations.perform('operators.create', admin.actor, { handle, roles }, { reauthCode: await reauthCode(admin) });
  const { secret, used } = await enrol(container, handle, enrolment.enrolment_code);
  return { id: enrolment.operator.id, handle, password: OPERATOR_PASSWORD, secret, used, roles };
}

const freshSessions = new Set<string>();
/** A re-authentication code for a sensitive operation, or nothing when the session re-authenticated already. */
export async function reauthCode(who: { actor: OperatorActor; operator: TestOperator }): Promise<string | undefined> {
  if (freshSessions.has(who.actor.sessionKey)) return undefined;
  freshSessions.add(who.actor.sessionKey);
  return freshCode(who.operator);
}
