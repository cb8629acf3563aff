// Pairwise subject identifiers (OIDC Core §8.1) in the cyberspace ID format (DESIGN.md):
//   sub = encode(HMAC-SHA256(pairwise secret, sector ‖ 0x00 ‖ citizen cyberspace ID))
// The sector is the host of the client's sector_identifier_uri, else of its redirect URIs
// (oidc-provider computes it as client.sectorIdentifier). Stable for one citizen and one
// sector, different across sectors, neither computable nor reversible without the secret.
// No host name or other machine-local salt: every instance derives the same value.
import { createHmac } from 'node:crypto';
import { fromBytes } from '../ids/cyberspace-id.js';

export function pairwiseCyberspaceId(secret: Buffer, sector: string, cyberspaceId: string): string {
  const mac = createHmac('sha256', secret).update(sector, 'utf8').update(Buffer.of(0)).update(cyberspaceId, 'utf8').digest();
  return fromBytes(mac);
}

type ClientLike = { sectorIdentifier?: string };

export function createPairwiseIdentifier(secret: Buffer) {
  return async (_ctx: unknown, accountId: string, client: ClientLike): Promise<string> => {
    if (!client.sectorIdentifier) throw new Error('client has no sector identifier');
    return pairwiseCyberspaceId(secret, client.sectorIdentifier, accountId);
  };
}
