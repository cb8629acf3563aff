// The reference: bare oidc-provider 9 with its built-in memory adapter and no UI, i.e. the
// library's ceiling on this machine. Login and consent are finished programmatically at the
// interaction URL (every account exists, every requested scope is granted). Not project code —
// kept as small as the library allows so that what it measures is the library itself.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export type Reference = { issuer: string; client_id: string; client_secret: string; redirect_uri: string; stop(): Promise<void> };

export async function startReference(): Promise<Reference> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true }); // the project signs ID tokens with RS256 too
  const client = { client_id: 'reference-isp', client_secret: 'reference-secret-reference-secret', redirect_uri: 'https://isp.example/cb' };

  const provider = new Provider(issuer, {
    clients: [{ ...client, redirect_uris: [client.redirect_uri], redirect_uri: undefined, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'reference', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['reference-cookie-key'] },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
    features: { devInteractions: { enabled: false }, introspection: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: () => true,
    rotateRefreshToken: true,
  });
  // The whole "UI": sign in as a fixed account and grant what was asked, then resume.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = 'reference-citizen';
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false }));
  });
  server.on('request', provider.callback());
  return { issuer, ...client, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
