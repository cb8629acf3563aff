// Which sector an ISP's pairwise IDs are derived from, also for a disabled ISP.
import { pairwiseSectorOf } from './pairwise-sector.js';

/**
 * The sector an ISP's pairwise IDs are derived from, by the rule oidc-provider's pairwise hook
 * applies (pairwise-sector.ts) to the ISP's stored metadata — which also covers a disabled ISP
 * that oidc-provider no longer loads.
 */
export function createSectorLookup(deps: { findStoredMetadata(clientId: string): Promise<Record<string, unknown> | undefined> }) {
  return async (clientId: string): Promise<string | undefined> => {
    const metadata = await deps.findStoredMetadata(clientId);
    return metadata ? pairwiseSectorOf(metadata) : undefined;
  };
}
