// Back-channel logout (OIDC Back-Channel Logout 1.0), as oidc-provider's Client sends it, with
// two changes:
// - Logout tokens carry `sid` whenever the logout ends a browser session (§2.4), so an RP that
//   files sessions by sid (mod_auth_openidc does) acts on them. oidc-provider adds sid only for
//   clients registered with backchannel_logout_session_required; ours register false because
//   revocations and cancellations end no session and name the subject only (the token then has
//   no sid, meaning every session of that sub). `deliverBackchannelLogout` turns the flag on for
//   a call that has a sid; oidc-provider reads it synchronously before its first await, so it is
//   restored before any other call can see it.
// - With an outbox (services/logout-deliveries.ts), `backchannelLogout` — what oidc-provider's
//   end_session and our revocations call — only queues the delivery; the outbox delivers it
//   through `deliverBackchannelLogout`, retrying with back-off.
import type Provider from 'oidc-provider';
import type { Logger } from '../logger.js';

type LogoutClient = { clientId: string; backchannelLogoutSessionRequired?: boolean };
type BackchannelLogout = (this: LogoutClient, sub: string, sid: string) => Promise<void>;
export type LogoutDeliveryRequest = { clientId: string; accountId: string; sid: string | null };
/** oidc-provider's Client as the outbox uses it (its published types omit these). */
export type DeliverableClient = { clientId: string; backchannelLogoutUri?: string; deliverBackchannelLogout(sub: string, sid: string): Promise<void> };

export function installBackchannelLogout(provider: Provider, logger: Logger, enqueue?: (request: LogoutDeliveryRequest) => Promise<void>): void {
  const prototype = provider.Client.prototype as unknown as { backchannelLogout: BackchannelLogout; deliverBackchannelLogout: BackchannelLogout };
  const original = prototype.backchannelLogout;
  prototype.deliverBackchannelLogout = function deliverBackchannelLogout(this: LogoutClient, sub: string, sid: string) {
    if (!sid) return original.call(this, sub, sid);
    const registered = this.backchannelLogoutSessionRequired;
    this.backchannelLogoutSessionRequired = true;
    try {
      return original.call(this, sub, sid);
    } finally {
      this.backchannelLogoutSessionRequired = registered;
    }
  };
  prototype.backchannelLogout = enqueue
    ? function queueBackchannelLogout(this: LogoutClient, sub: string, sid: string) {
      return enqueue({ clientId: this.clientId, accountId: sub, sid: sid || null });
    }
    : prototype.deliverBackchannelLogout;
  // 'backchannel.error' is emitted by oidc-provider but missing from its published types. With
  // the outbox it means the delivery could not even be queued.
  (provider as unknown as { on(event: string, listener: (...args: never[]) => void): void }).on('backchannel.error', (_ctx: unknown, error: Error & { cause?: { code?: string; message?: string } }, client: LogoutClient) => {
    logger.warn({ clientId: client.clientId, reason: error.cause?.code ?? error.cause?.message ?? error.message }, enqueue ? 'back-channel logout could not be queued' : 'back-channel logout delivery failed');
  });
}
