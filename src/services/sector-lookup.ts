// Which sector an ISP's pairwise IDs are derived from, also for a disabled ISP.
/**
 * The sector an ISP's pairwise IDs are derived from: oidc-provider's own value for a live
 * client; for a disabled one (oidc-provider no longer loads it) the same rule applied to its
 * stored metadata — the host of sector_identifier_uri, else of the first redirect URI.
 */
export function createSectorLookup(deps: {
  /** oidc-provider's Client.find (its published types omit sectorIdentifier). */
  findClient(clientId: string): Promise<object | undefined>;
  findStoredMetadata(clientId: string): Promise<Record<string, unknown> | undefined>;
}) {
  return async (clientId: string): Promise<string | undefined> => {
    const client = await deps.findClient(clientId);
    if (client) {
      const { sectorIdentifier } = client as { sectorIdentifier?: unknown };
      return typeof sectorIdentifier === 'string' ? sectorIdentifier : undefined;
    }
    const metadata = await deps.findStoredMetadata(clientId);
    if (!metadata) return undefined;
    const uri = typeof metadata.sector_identifier_uri === 'string'
      ? metadata.sector_identifier_uri
      : Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris[0] : undefined;
    try {
      return typeof uri === 'string' ? new URL(uri).host : undefined;
    } catch {
      return undefined;
    }
  };
}

