// The operator console's session: the cookie (path /admin, SameSite=Strict, HttpOnly), the
// middleware that admits only a signed-in, active operator (others go to the sign-in page), and
// the actor every console action performs operations as. Console pages are never cached.
import type { Context, Next } from 'koa';
import type { OperatorRow } from '../../queries/operators.js';
import type { OperatorAuthentication } from '../../operators/authentication.js';
import type { OperatorActor } from '../../operators/operations.js';

export const OPERATOR_COOKIE = 'cid_operator';

export const operatorCookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: 'strict' as const, secure, path: '/admin', signed: false });

export function requireOperator(authentication: Pick<OperatorAuthentication, 'session'>) {
  return async function loadOperator(ctx: Context, next: Next) {
    ctx.set('cache-control', 'no-store');
    const session = await authentication.session(ctx.cookies.get(OPERATOR_COOKIE));
    if (!session) {
      ctx.status = 303;
      return ctx.redirect('/admin/login');
    }
    ctx.state.operator = session.operator;
    ctx.state.operatorSessionKey = session.sessionKey;
    return next();
  };
}

export const signedInOperator = (ctx: Context) => ctx.state.operator as OperatorRow;

/** The signed-in operator as the operations layer's actor, for this request. */
export const actorOf = (ctx: Context): OperatorActor => ({
  operatorId: signedInOperator(ctx).id,
  sessionKey: ctx.state.operatorSessionKey as string,
  requestId: ctx.state.requestId as string,
});
