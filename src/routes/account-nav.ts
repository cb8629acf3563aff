// The account pages' shared frame: the navigation between them, and the one-line confirmation
// ("flash") a page shows after a form on it redirected back. requireCitizen (account-guard.ts)
// puts both in ctx.state for every signed-in page, and the layout draws them, so a new account
// page gets the navigation without asking for it.
import type { Context } from 'koa';
import type { MessageKey } from '../web/i18n.js';

type NavEntry = { href: string; labelKey: MessageKey; /** Other pages that belong under this entry. */ covers?: string[] };

export const ACCOUNT_PAGES: readonly NavEntry[] = [
  { href: '/account', labelKey: 'account.nav.overview' },
  { href: '/account/services', labelKey: 'account.nav.services' },
  { href: '/account/security', labelKey: 'account.nav.security', covers: ['/account/password', '/account/two-factor', '/account/passkeys', '/account/recovery-codes', '/account/assurance', '/account/contacts'] },
  { href: '/account/guardianship', labelKey: 'account.nav.guardianship', covers: ['/account/guardian', '/account/children/apply'] },
  { href: '/account/data', labelKey: 'account.nav.data', covers: ['/account/cancel'] },
  { href: '/account/activity', labelKey: 'account.nav.activity' },
];

export type AccountNavItem = { href: string; labelKey: MessageKey; current: boolean };

/** The navigation for a page at `path`, with the entry it belongs to marked current. */
export function accountNav(path: string): AccountNavItem[] {
  return ACCOUNT_PAGES.map((entry) => ({
    href: entry.href,
    labelKey: entry.labelKey,
    current: entry.href === path || (entry.covers ?? []).some((p) => path === p || path.startsWith(`${p}/`)),
  }));
}

/** What a form did, keyed by `?done=`, and the page that shows it. */
const FLASHES = {
  suspended: { key: 'account.suspend.done', page: '/account/data' },
  resumed: { key: 'account.resume.done', page: '/account/data' },
  revoked: { key: 'account.connections.revoked', page: '/account/services' },
  guardian: { key: 'account.guardian.done', page: '/account/guardianship' },
  guardian_refused_account: { key: 'account.guardian.refused_account_done', page: '/account/guardianship' },
  guardian_named: { key: 'account.guardian.mine.done', page: '/account/guardianship' },
  password: { key: 'account.password.done', page: '/account/security' },
  two_factor_on: { key: 'account.two_factor.enabled_done', page: '/account/security' },
  two_factor_off: { key: 'account.two_factor.disabled_done', page: '/account/security' },
  assurance_raised: { key: 'account.assurance.raised_done', page: '/account/security' },
  recovery_cancelled: { key: 'account.recovery.cancelled_done', page: '/account' },
  notice_dismissed: { key: 'account.notices.dismissed', page: '/account' },
  contact_code_sent: { key: 'account.contacts.sent', page: '/account/contacts' },
  contact_confirmed: { key: 'account.contacts.done.confirmed', page: '/account/contacts' },
  contact_removed: { key: 'account.contacts.done.removed', page: '/account/contacts' },
} as const satisfies Record<string, { key: MessageKey; page: string }>;

export type AccountFlash = keyof typeof FLASHES;

/** Answers a form post: back (303) to the page that shows what it did. */
export function redirectWithFlash(ctx: Context, flash: AccountFlash): void {
  ctx.status = 303;
  ctx.redirect(`${FLASHES[flash].page}?done=${flash}`);
}

/** The confirmation to show on this page, if `?done=` names one that belongs here. */
export function flashFor(ctx: Context): MessageKey | undefined {
  const done = ctx.query.done;
  if (typeof done !== 'string' || !Object.hasOwn(FLASHES, done)) return undefined;
  const flash = FLASHES[done as AccountFlash];
  return flash.page === ctx.path ? flash.key : undefined;
}
