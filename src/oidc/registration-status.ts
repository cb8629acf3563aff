// Dynamic registration (RFC 7591) lands a client in review (services/client-onboarding.ts):
// the registration response, and RFC 7592's read and update responses, say where it stands, so
// the ISP's developer learns at once that the client cannot sign anyone in yet and why.
// RFC 7591 §3.2.1 lets the server return metadata beyond what the client sent.
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientStatus } from '../queries/clients.js';

export const ONBOARDING_STATUS_MEMBER = 'cyberid_onboarding_status';
export const ONBOARDING_NOTICE_MEMBER = 'cyberid_onboarding_notice';

const REGISTRATION_ROUTES = new Set(['registration', 'client', 'client_update']);

const NOTICE: Record<Exclude<ClientStatus, 'active'>, string> = {
  submitted: 'This registration awaits review by the Cyberspace ID operator. The client cannot sign citizens in until it is approved and then activated; the registration can be read and updated meanwhile.',
  approved: 'This registration is approved and awaits activation by the Cyberspace ID operator. The client cannot sign citizens in until it is active.',
  suspended: 'This client is suspended by the Cyberspace ID operator: it cannot sign citizens in, and its tokens were revoked.',
};

export function registrationStatus(statusOf: (clientId: string) => Promise<ClientStatus | undefined>, reviewGuide: string): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    if (!oidc?.route || !REGISTRATION_ROUTES.has(oidc.route) || ctx.status >= 300) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || typeof body.client_id !== 'string') return;
    const status = await statusOf(body.client_id);
    if (!status) return;
    body[ONBOARDING_STATUS_MEMBER] = status;
    if (status !== 'active') body[ONBOARDING_NOTICE_MEMBER] = `${NOTICE[status]} See ${reviewGuide}`;
  };
}
