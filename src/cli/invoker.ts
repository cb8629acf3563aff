// Who runs a CLI command: the operating-system user and host. A command acting directly on the
// database (bootstrap, migrations, break-glass suspensions) is not an authenticated operator,
// so its audit entries name at least the shell account it came from (issue 11). Through the
// embedded store's bridge the CLI process reports them; they are sanitised, never trusted as
// more than a record.
import { hostname, userInfo } from 'node:os';
import type { AuditContext } from '../services/audit-context.js';

export type Invoker = { os_user: string; host: string };

const clean = (value: unknown) => (typeof value === 'string' ? value.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64) : '') || 'unknown';

export function localInvoker(): Invoker {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): record the uid instead.
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { os_user: clean(user), host: clean(hostname()) };
}

export const invokerContext = (invoker: Partial<Invoker> | undefined): AuditContext => ({ os_user: clean(invoker?.os_user), host: clean(invoker?.host) });
