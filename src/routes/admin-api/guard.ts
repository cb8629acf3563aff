// Who is calling: every admin API route but the sign-in and the OpenAPI document needs
// `Authorization: DPoP <token>` (RFC 9449 §7.1) with a DPoP proof for this request, signed by the
// key the token is bound to. A token sent as Bearer is refused: it is sender-constrained (§7.2).
// Cookies are never read, so a browser cannot be made to act for an operator (no CSRF surface).
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../../errors.js';
import type { ApiTokenUse, ApiTokens } from '../../operators/api-tokens.js';
import type { OperatorActor } from '../../operators/operations.js';
import type { DpopVerifier } from '../../web/dpop.js';

/** The URL the client addressed, as DPoP's htu names it: the issuer's origin and this path. */
export const requestUrl = (issuer: string, ctx: Context) => `${new URL(issuer).origin}${ctx.path}`;

export function requireOperatorToken({ tokens, verifyDpop, issuer }: { tokens: Pick<ApiTokens, 'use'>; verifyDpop: DpopVerifier; issuer: string }) {
  return async function authenticate(ctx: Context, next: Next) {
    const authorization = ctx.get('authorization');
    if (!authorization) throw new UnauthorizedError('credentials_required', 'sign in with POST /api/admin/v1/session, then send Authorization: DPoP <access token> and a DPoP proof');
    const [scheme = '', token, ...rest] = authorization.split(' ');
    if (scheme.toLowerCase() === 'bearer') throw new UnauthorizedError('invalid_token', 'admin API tokens are DPoP-bound: send Authorization: DPoP <access token>, not Bearer');
    if (scheme.toLowerCase() !== 'dpop' || !token || rest.length) throw new UnauthorizedError('invalid_token', 'the Authorization header must be "DPoP <access token>"');
    const { jkt } = await verifyDpop({ proof: ctx.req.headers.dpop, method: ctx.method, url: requestUrl(issuer, ctx), accessToken: token });
    ctx.state.apiToken = await tokens.use(token, jkt);
    return next();
  };
}

export const tokenOf = (ctx: Context) => ctx.state.apiToken as ApiTokenUse;

/** The operator the token is bound to, as the operations layer's actor for this request. */
export const actorOf = (ctx: Context): OperatorActor => ({
  operatorId: tokenOf(ctx).operator.id,
  sessionKey: tokenOf(ctx).sessionKey,
  requestId: ctx.state.requestId as string,
});
