// Logout tokens carry `sid` whenever the logout ends a browser session (OIDC Back-Channel
// Logout §2.4), so an RP that files sessions by sid (mod_auth_openidc does) acts on them.
// oidc-provider adds sid only for clients registered with backchannel_logout_session_required;
// ours register false because revocations and cancellations end no session and name the
// subject only (the token then has no sid, meaning every session of that sub). This wrapper
// turns the flag on for a call that has a sid. backchannelLogout reads the flag synchronously
// before its first await, so it is restored before any other call can see it.
// Each failed delivery is logged with the ISP's id and the reason (never the token).
import type Provider from 'oidc-provider';
import type { Logger } from '../logger.js';

type LogoutClient = { clientId: string; backchannelLogoutSessionRequired?: boolean };
type BackchannelLogout = (this: LogoutClient, sub: string, sid: string) => Promise<void>;

export function sendSidInLogoutTokens(provider: Provider, logger: Logger): void {
  const prototype = provider.Client.prototype as unknown as { backchannelLogout: BackchannelLogout };
  const original = prototype.backchannelLogout;
  prototype.backchannelLogout = function backchannelLogout(this: LogoutClient, sub: string, sid: string) {
    if (!sid) return original.call(this, sub, sid);
    const registered = this.backchannelLogoutSessionRequired;
    this.backchannelLogoutSessionRequired = true;
    try {
      return original.call(this, sub, sid);
    } finally {
      this.backchannelLogoutSessionRequired = registered;
    }
  };
  // 'backchannel.error' is emitted by oidc-provider but missing from its published types.
  (provider as unknown as { on(event: string, listener: (...args: never[]) => void): void }).on('backchannel.error', (_ctx: unknown, error: Error & { cause?: { code?: string; message?: string } }, client: LogoutClient) => {
    logger.warn({ clientId: client.clientId, reason: error.cause?.code ?? error.cause?.message ?? error.message }, 'back-channel logout delivery failed');
  });
}
