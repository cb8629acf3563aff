// Rendering a console page: the layout's operator bar (handle, the areas this operator's roles
// open, sign-out) and the one way every console page shows a refused or failed operation —
// a message in the reader's language by error code, with the service's own (English, personal-
// data-free) explanation beside it.
import type { Context, Next } from 'koa';
import { AppError, FormError, ValidationError } from '../../errors.js';
import { RoleRequiredError } from '../../operators/operations.js';
import type { Role } from '../../operators/roles.js';
import type { MessageKey } from '../../web/i18n.js';
import type { RenderView } from '../../web/views.js';
import { signedInOperator } from './guard.js';

/** The console's areas, each opened by one role. */
export const AREAS: ReadonlyArray<{ path: string; role: Role; key: MessageKey }> = [
  { path: '/admin/operators', role: 'operator_admin', key: 'admin.area.operators' },
  { path: '/admin/isps', role: 'isp_registrar', key: 'admin.area.isps' },
  { path: '/admin/citizens', role: 'account_support', key: 'admin.area.citizens' },
  { path: '/admin/keys', role: 'key_custodian', key: 'admin.area.keys' },
  { path: '/admin/audit', role: 'auditor', key: 'admin.area.audit' },
  { path: '/admin/lawful-access', role: 'lawful_access_officer', key: 'admin.area.lawful_access' },
];

/** A problem to show on the page: a message key, the service's detail, the status to answer with. */
export type Problem = { key: string; vars?: Record<string, string>; detail?: string; status: number; field?: string };

/** What a refused or failed operation means to the reader; undefined for an unexpected error (rethrow it). */
export function problemOf(error: unknown): Problem | undefined {
  if (error instanceof RoleRequiredError) return { key: 'admin.error.role', vars: { role: error.role }, status: 403 };
  if (error instanceof FormError) {
    const [field, code] = Object.entries(error.fields)[0] ?? ['', ''];
    return { key: `admin.error.${field}.${code}`, field, status: code === 'throttled' ? 429 : 400 };
  }
  if (error instanceof ValidationError) return { key: 'admin.error.invalid_input', detail: error.problems.join('; '), status: 400 };
  if (error instanceof AppError && error.expose) return { key: `admin.error.${error.code}`, detail: error.message, status: error.status };
  return undefined;
}

export function createConsolePage(render: RenderView) {
  return async function page(ctx: Context, view: string, titleKey: MessageKey, data: Record<string, unknown> = {}, options: { status?: number; pagePath?: string } = {}) {
    const operator = signedInOperator(ctx);
    await render(ctx, view, {
      titleKey,
      status: options.status,
      pagePath: options.pagePath,
      data: {
        problem: undefined,
        ...data,
        console: { handle: operator.handle, roles: operator.roles, areas: AREAS.filter((area) => operator.roles.includes(area.role)), current: options.pagePath ?? ctx.path },
      },
    });
  };
}

export type ConsolePage = ReturnType<typeof createConsolePage>;

/**
 * An area the operator's roles do not open, reached by address: the console's home with the
 * refusal (403), instead of the site's generic error page.
 */
export function roleRefusals(page: ConsolePage) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof RoleRequiredError) || !ctx.state.operator) throw error;
      await page(ctx, 'admin-home', 'admin.home.title', { problem: problemOf(error) }, { status: 403, pagePath: '/admin' });
    }
  };
}
