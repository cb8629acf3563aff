// Account state enforced inside oidc-provider:
// - the login prompt is requested again when the session's citizen is no longer usable
//   (suspended, cancelled, pending guardian approval, or signed in before a password recovery);
// - introspection reports tokens of such a citizen as inactive (RFC 7662 §2.2).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type Koa from 'koa';

const { Check, base } = interactionPolicy;

export function buildInteractionPolicy() {
  const policy = base();
  policy.get('login')!.checks.add(
    new Check('account_unavailable', 'the signed-in account cannot be used', (ctx: KoaContextWithOIDC) => {
      const { session, entities } = ctx.oidc;
      return session?.accountId && !(entities as { Account?: unknown }).Account ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

type TokenWithAccount = { accountId?: string };

/** oidc-provider post-middleware for the introspection endpoint. */
export function inactiveAccountIntrospection(isActiveAccount: (accountId: string) => Promise<boolean>): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'introspection' || !(ctx.body as { active?: boolean } | undefined)?.active) return;
    const entities = oidc.entities as { AccessToken?: TokenWithAccount; RefreshToken?: TokenWithAccount };
    const accountId = entities.AccessToken?.accountId ?? entities.RefreshToken?.accountId;
    if (accountId && !(await isActiveAccount(accountId))) ctx.body = { active: false };
  };
}
