// Account state enforced inside oidc-provider:
// - the login prompt is requested again when the session's citizen is no longer usable
//   (suspended, cancelled, pending guardian approval, or signed in before a password recovery);
// - the login prompt is requested, with reason identity_assurance_insufficient, when the
//   citizen's identity assurance is below the ISP's minimum (client-metadata.ts); with
//   prompt=none the ISP gets access_denied at once, otherwise the citizen is told how to raise it;
// - the login prompt is requested when the session's sign-in is below what the request needs
//   (acr-check.ts: step-up);
// - introspection reports tokens of such a citizen as inactive (RFC 7662 §2.2).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type Koa from 'koa';
import { isAssuranceLevel, meets } from '../identity/assurance.js';
import { MIN_ASSURANCE_PROPERTY } from './client-metadata.js';
import { acrCheck } from './acr-check.js';

export const ASSURANCE_INSUFFICIENT = 'identity_assurance_insufficient';

/** The ISP's minimum identity assurance, when it has one above low. */
export function minimumAssurance(client: unknown) {
  const value = (client as Record<string, unknown> | undefined)?.[MIN_ASSURANCE_PROPERTY];
  return isAssuranceLevel(value) ? value : undefined;
}

const { Check, base } = interactionPolicy;

export function buildInteractionPolicy() {
  const policy = base();
  policy.get('login')!.checks.add(
    // Checks added after the prompt is built get no default error: name it, so prompt=none is
    // answered with login_required (OIDC Core §3.1.2.6), as for a browser with no session.
    new Check('account_unavailable', 'End-User authentication is required', 'login_required', (ctx: KoaContextWithOIDC) => {
      const { session, entities } = ctx.oidc;
      return session?.accountId && !(entities as { Account?: unknown }).Account ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  policy.get('login')!.checks.add(
    new Check(ASSURANCE_INSUFFICIENT, 'identity assurance below the minimum this service requires', 'access_denied', (ctx: KoaContextWithOIDC) => {
      const account = (ctx.oidc.entities as { Account?: { identityAssurance?: unknown } }).Account;
      const minimum = minimumAssurance(ctx.oidc.client);
      if (!minimum || !isAssuranceLevel(account?.identityAssurance)) return Check.NO_NEED_TO_PROMPT;
      return meets(account.identityAssurance, minimum) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  policy.get('login')!.checks.add(acrCheck());
  return policy;
}

type TokenWithAccount = { accountId?: string };

/** oidc-provider post-middleware for the introspection endpoint. */
export function inactiveAccountIntrospection(isActiveAccount: (ctx: Koa.Context, accountId: string) => Promise<boolean>): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'introspection' || !(ctx.body as { active?: boolean } | undefined)?.active) return;
    const entities = oidc.entities as { AccessToken?: TokenWithAccount; RefreshToken?: TokenWithAccount };
    const accountId = entities.AccessToken?.accountId ?? entities.RefreshToken?.accountId;
    if (accountId && !(await isActiveAccount(ctx, accountId))) ctx.body = { active: false };
  };
}
