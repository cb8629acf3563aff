// Who an audit entry was done for, carried through the call instead of through every service's
// parameters: the operator console runs each operation inside a context naming the operator,
// the role used and the request id, and the CLI runs each command inside one naming the
// operating-system user and host. audit.record() adds these details to every entry written
// inside the context (explicit details win), so a service's own entries (account.suspended,
// lawful_access.approved…) say who acted without the service knowing about operators.
import { AsyncLocalStorage } from 'node:async_hooks';

export type AuditContext = Partial<Record<'operator_id' | 'role' | 'request_id' | 'os_user' | 'host', string>>;

const storage = new AsyncLocalStorage<AuditContext>();

/** Runs `work` with `context` added to every audit entry it records (nested contexts merge). */
export function withAuditContext<T>(context: AuditContext, work: () => Promise<T>): Promise<T> {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export const currentAuditContext = (): AuditContext => storage.getStore() ?? {};
