// oidc-provider's outgoing HTTP (back-channel logout, jwks_uri, sector_identifier_uri).
// oidc-provider attaches a dispatcher that refuses loopback and private addresses (SSRF
// protection). Production keeps it. Outside production it is dropped, so a developer can run
// an ISP and the provider on one machine and receive back-channel logouts on localhost; the
// first such request says so in the log, once.
import type { Logger } from '../logger.js';

export function createOutboundFetch(options: { base: typeof globalThis.fetch; production: boolean; logger: Logger }): typeof globalThis.fetch {
  let announced = false;
  return (input, init) => {
    if (options.production || !init || !('dispatcher' in init)) return options.base(input, init);
    if (!announced) {
      announced = true;
      options.logger.warn('outgoing OIDC requests may reach loopback and private addresses (not production); production refuses them');
    }
    const { dispatcher: _dropped, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return options.base(input, rest);
  };
}
