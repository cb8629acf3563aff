// The account pages' session: the cookie, and the middleware that admits only a signed-in,
// not cancelled citizen (others go to the sign-in page). Pages behind it are never cached, and
// carry the account navigation and the confirmation of what the last form did (account-nav.ts).
import type { Context, Next } from 'koa';
import type { Container } from '../container.js';
import type { CitizenRow } from '../queries/citizens.js';
import { accountNav, flashFor } from './account-nav.js';

export const ACCOUNT_COOKIE = 'cid_account';

export function requireCitizen(deps: Pick<Container, 'accountSessions' | 'citizens'>) {
  return async function loadCitizen(ctx: Context, next: Next) {
    const session = await deps.accountSessions.touch(ctx.cookies.get(ACCOUNT_COOKIE));
    const citizen = session ? await deps.citizens.findCitizen(session.citizenId) : undefined;
    if (!citizen || citizen.status === 'cancelled') {
      ctx.status = 303;
      return ctx.redirect('/account/login');
    }
    ctx.state.citizen = citizen;
    ctx.state.accountNav = accountNav(ctx.path);
    ctx.state.accountFlash = flashFor(ctx);
    ctx.set('cache-control', 'no-store');
    return next();
  };
}

/** The signed-in citizen (after requireCitizen). */
export const signedInCitizen = (ctx: Context) => ctx.state.citizen as CitizenRow;
