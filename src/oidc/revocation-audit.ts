// An ISP revoking a token at the revocation endpoint (RFC 7009) is part of the citizen's
// authentication log: recorded after oidc-provider has answered 200 for a token it found.
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

type RevokedToken = { accountId?: string; clientId?: string; kind?: string };

export function revocationAudit(record: (event: { accountId: string; clientId: string; tokenType: string }) => Promise<void>): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'revocation' || ctx.status !== 200) return;
    const entities = oidc.entities as { AccessToken?: RevokedToken; RefreshToken?: RevokedToken };
    const token = entities.AccessToken ?? entities.RefreshToken;
    if (!token?.accountId || !token.clientId) return;
    await record({ accountId: token.accountId, clientId: token.clientId, tokenType: entities.AccessToken ? 'access_token' : 'refresh_token' });
  };
}
