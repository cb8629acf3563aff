// Pairwise subject identifiers (OIDC Core §8.1) in the cyberspace ID format (DESIGN.md):
//   sub = encode(HMAC-SHA256(pairwise secret, sector ‖ 0x00 ‖ citizen cyberspace ID))
// The sector is the host name (no port) of the client's sector_identifier_uri, else of its
// first redirect URI, or the sector pinned for a client registered before that rule
// (src/services/pairwise-sector.ts; not oidc-provider's client.sectorIdentifier, which keeps
// the port). Stable for one citizen and one
// sector, different across sectors, neither computable nor reversible without the secret.
// No host name or other machine-local salt: every instance derives the same value.
import { createHmac } from 'node:crypto';
import { fromBytes } from '../ids/cyberspace-id.js';
import { pairwiseSectorOf } from '../services/pairwise-sector.js';

export function pairwiseCyberspaceId(secret: Buffer, sector: string, cyberspaceId: string): string {
  const mac = createHmac('sha256', secret).update(sector, 'utf8').update(Buffer.of(0)).update(cyberspaceId, 'utf8').digest();
  return fromBytes(mac);
}

type ClientLike = { metadata(): Record<string, unknown> };

export function createPairwiseIdentifier(secret: Buffer) {
  return async (_ctx: unknown, accountId: string, client: ClientLike): Promise<string> => {
    const sector = pairwiseSectorOf(client.metadata());
    if (!sector) throw new Error('client has no sector identifier');
    return pairwiseCyberspaceId(secret, sector, accountId);
  };
}
