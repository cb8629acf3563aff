// Signing in to the admin API (docs/admin-api.md): the same sign-in as the console
// (operators/authentication.ts — handle, password and authenticator code in one step, limited
// per handle and per address), proved with a DPoP key; the answer is a 10-minute DPoP-bound
// token (operators/api-tokens.ts). Re-authentication for sensitive operations and sign-out
// act on the sign-in session the token is bound to.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import type { DpopVerifier } from '../../web/dpop.js';
import { requestUrl, tokenOf } from './guard.js';
import { bodyOf } from './input.js';

type Deps = Pick<OperatorArea, 'authentication' | 'apiTokens' | 'operations'> & { verifyDpop: DpopVerifier; issuer: string; authenticate: Middleware };

const signInBody = z.strictObject({ handle: z.string().max(64), password: z.string().max(1024), code: z.string().max(16) });
const reauthBody = z.strictObject({ code: z.string().max(16) });

export function createSessionRoutes(router: Router, { authentication, apiTokens, operations, verifyDpop, issuer, authenticate }: Deps): void {
  const operatorOf = (operator: { id: string; handle: string; roles: string[] }) => ({ id: operator.id, handle: operator.handle, roles: operator.roles });

  router.post('/session', async (ctx) => {
    const input = bodyOf(ctx, signInBody);
    const { jkt } = await verifyDpop({ proof: ctx.req.headers.dpop, method: ctx.method, url: requestUrl(issuer, ctx) });
    const signedIn = await authentication.signIn({ ...input, address: ctx.ip });
    ctx.status = 201;
    ctx.body = { ...(await apiTokens.issue(signedIn, jkt)), operator: operatorOf(signedIn.operator) };
  });

  router.get('/session', authenticate, (ctx) => {
    const { operator, expiresAt } = tokenOf(ctx);
    ctx.body = { operator: operatorOf(operator), expires_at: new Date(expiresAt).toISOString(), operations: operations.allowed(operator) };
  });

  router.delete('/session', authenticate, async (ctx) => {
    await apiTokens.end(tokenOf(ctx));
    ctx.status = 204;
  });

  router.post('/session/reauthentication', authenticate, async (ctx) => {
    const { code } = bodyOf(ctx, reauthBody);
    const { operator, sessionKey } = tokenOf(ctx);
    await authentication.reauthenticate(operator, sessionKey, code);
    ctx.status = 204;
  });
}
