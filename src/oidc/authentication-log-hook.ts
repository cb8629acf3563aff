// Feeds the authentication log (services/authentication-log.ts) from oidc-provider:
// - authorization: a code issued to an ISP (succeeded, with the code's acr), or an error
//   answered to the ISP for a citizen with a session (failed: access_denied…);
// - token: a code exchanged or a refresh token used (succeeded or failed, with the OAuth error
//   code). On failure oidc-provider has not attached the code or token it read, so it is looked
//   up again (expired or consumed ones too) to learn whose it was; one already gone (revoked)
//   names nobody and is not logged against anyone.
// The address and User-Agent are those of the request: the citizen's browser at the
// authorization endpoint, the ISP's server at the token endpoint.
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuthenticationRecord } from '../services/authentication-log.js';

/** oidc-provider knows the citizen by accountId (the cyberspace ID); the container resolves it. */
export type OidcAuthentication = Omit<AuthenticationRecord, 'citizenId'> & { accountId: string };
/** `ctx` lets the citizen be looked up once per request (request-citizen.ts). */
type RecordAuthentication = (ctx: Koa.Context, entry: OidcAuthentication) => Promise<void>;
type TokenLike = { accountId?: string; clientId?: string; acr?: string } | undefined;

const network = (ctx: Koa.Context) => ({ address: ctx.ip, userAgent: ctx.get('user-agent') || undefined });

async function tokenOwner(ctx: KoaContextWithOIDC, grantType: string): Promise<TokenLike> {
  const params = (ctx.oidc.params ?? {}) as { code?: string; refresh_token?: string };
  const provider = ctx.oidc.provider as Provider;
  const options = { ignoreExpiration: true } as const;
  if (grantType === 'authorization_code' && params.code) return (await provider.AuthorizationCode.find(params.code, options).catch(() => undefined)) as TokenLike;
  if (grantType === 'refresh_token' && params.refresh_token) return (await provider.RefreshToken.find(params.refresh_token, options).catch(() => undefined)) as TokenLike;
  return undefined;
}

/** provider.use middleware for the token endpoint, and the code issued at the authorization endpoint. */
export function authenticationLogHook(record: RecordAuthentication, onError: (error: unknown) => void): Koa.Middleware {
  return async (ctx, next) => {
    const safely = (entry: OidcAuthentication) => record(ctx, entry).catch(onError);
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (oidc?.route === 'authorization' || oidc?.route === 'resume') {
      const code = oidc.entities?.AuthorizationCode as TokenLike;
      if (code?.accountId) await safely({ accountId: code.accountId, clientId: code.clientId, event: 'authorization', outcome: 'succeeded', acr: code.acr, ...network(ctx) });
      const refused = (ctx.state as { authorizationError?: string }).authorizationError;
      const session = oidc.entities?.Session as { accountId?: string } | undefined;
      const client = oidc.entities?.Client as { clientId?: string } | undefined;
      if (!code && refused && session?.accountId) {
        await safely({ accountId: session.accountId, clientId: client?.clientId, event: 'authorization', outcome: 'failed', reasonCode: refused, ...network(ctx) });
      }
      return;
    }
    if (oidc?.route !== 'token') return;
    const grantType = String((oidc.params as { grant_type?: string } | undefined)?.grant_type ?? '');
    const event = grantType === 'authorization_code' ? 'code_exchange' : grantType === 'refresh_token' ? 'refresh' : undefined;
    if (!event) return;
    const succeeded = ctx.status === 200;
    const used = (succeeded ? (oidc.entities?.AuthorizationCode ?? oidc.entities?.RefreshToken) : await tokenOwner(ctx as unknown as KoaContextWithOIDC, grantType)) as TokenLike;
    if (!used?.accountId) return;
    await safely({
      accountId: used.accountId,
      // The ISP that called, which a failed call's code or token may not belong to.
      clientId: (oidc.client as { clientId?: string } | undefined)?.clientId ?? used.clientId,
      event,
      outcome: succeeded ? 'succeeded' : 'failed',
      reasonCode: succeeded ? undefined : String((ctx.body as { error?: string } | undefined)?.error ?? ctx.status),
      acr: used.acr,
      ...network(ctx),
    });
  };
}

/**
 * For provider.on('authorization.error'): notes the error the ISP is told of, so the hook above
 * logs it once the response is done (an event listener cannot be awaited).
 */
export function noteAuthorizationError(ctx: KoaContextWithOIDC, error: { error?: string }): void {
  (ctx as unknown as Koa.Context).state.authorizationError = error.error ?? 'error';
}
