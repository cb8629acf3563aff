// Plaintext identity is released for one authorization only and never remembered:
// once the token endpoint has answered for a grant, the `identity` scope (granted or refused)
// is removed from it, so refreshes and userinfo no longer carry it and the next authorization
// asks again on its own screen. This is the one module that edits oidc-provider's Grant
// payload (openid.scope / rejected.openid.scope) directly.
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { IDENTITY_SCOPE } from './claims.js';

type ScopeHolder = { openid?: { scope?: string } } | undefined;

function without(holder: ScopeHolder, scope: string): boolean {
  const current = holder?.openid?.scope;
  if (!current?.split(' ').includes(scope)) return false;
  holder!.openid!.scope = current.split(' ').filter((s) => s !== scope).join(' ');
  return true;
}

export function forgetIdentityRelease(): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'token' || ctx.status !== 200) return;
    const entities = oidc.entities as { AuthorizationCode?: { grantId?: string }; RefreshToken?: { grantId?: string }; Grant?: { jti?: string } };
    const grantId = entities.AuthorizationCode?.grantId ?? entities.RefreshToken?.grantId;
    // The token endpoint has just read and checked this grant (validateGrant): edit that copy
    // rather than read it again from PostgreSQL on every code exchange and refresh.
    const loaded = entities.Grant?.jti === grantId ? (entities.Grant as InstanceType<typeof oidc.provider.Grant>) : undefined;
    const grant = loaded ?? (grantId ? await oidc.provider.Grant.find(grantId) : undefined);
    if (!grant) return;
    const payload = grant as unknown as { openid?: { scope?: string }; rejected?: { openid?: { scope?: string } } };
    const changed = [without(payload, IDENTITY_SCOPE), without(payload.rejected, IDENTITY_SCOPE)].some(Boolean);
    if (changed) await grant.save();
  };
}
