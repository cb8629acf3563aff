// Only an active ISP signs citizens in (ISP onboarding, services/client-onboarding.ts). The
// Client adapter asks here, for the oidc-provider route it is serving (Provider.ctx):
// - the authorization endpoint (and its resume step) refuses a client that is not active with
//   a page that says why, never a redirect to the ISP (RFC 6749 §4.1.2.1: the citizen is told);
// - every other OAuth endpoint (token, refresh, userinfo, introspection, revocation, PAR) treats
//   it as unknown: invalid_client or invalid_token, and the ISP learns nothing more;
// - its own registration (RFC 7592 read, update, delete) and RP-initiated logout serve every
//   status, so a submitted ISP can read its registration and a citizen can always log out;
// - outside oidc-provider's routes (our pages naming the ISP, the CLI) the client is served.
import Provider, { errors } from 'oidc-provider';
import type { ClientStatus } from '../queries/clients.js';

const SIGN_IN_ROUTES = new Set(['authorization', 'resume']);
const ANY_STATUS_ROUTES = new Set(['client', 'client_update', 'client_delete', 'end_session', 'end_session_confirm', 'end_session_success']);

const WHY: Record<Exclude<ClientStatus, 'active'>, string> = {
  submitted: 'its registration is awaiting review by the Cyberspace ID operator',
  approved: 'its registration is approved but not yet active',
  suspended: 'it has been suspended by the Cyberspace ID operator',
};

/** The authorization endpoint's answer for an ISP that is not active (rendered by pages.ts). */
export class IspNotActive extends errors.UnauthorizedClient {
  constructor(readonly ispStatus: Exclude<ClientStatus, 'active'>) {
    super(`this service cannot sign citizens in with Cyberspace ID: ${WHY[ispStatus]}`);
    this.allow_redirect = false;
  }
}

function currentRoute(): string | undefined {
  const ctx = Provider.ctx as { oidc?: { route?: string } } | undefined;
  return ctx?.oidc?.route;
}

/** Whether the client may be handed to oidc-provider now; throws IspNotActive at sign-in. */
export function clientServedNow(status: ClientStatus): boolean {
  if (status === 'active') return true;
  const route = currentRoute();
  if (route === undefined || ANY_STATUS_ROUTES.has(route)) return true;
  if (SIGN_IN_ROUTES.has(route)) throw new IspNotActive(status);
  return false;
}
