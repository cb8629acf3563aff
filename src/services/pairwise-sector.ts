// The pairwise sector (OIDC Core §8.1): the host name, without the port, of the client's
// sector_identifier_uri, else of its first redirect URI. §8.1 speaks of the host, and an ISP
// moving from :8443 to :443 must not give every citizen a new ID (oidc-provider's own rule,
// URL.host, keeps the port; we derive the sector here instead).
//
// Clients registered before this rule whose sector carried a port keep that sector, pinned in
// cyberid_pairwise_sector by migration 20261202060100: their citizens' IDs never change. The
// pin is operator-only metadata and survives every update. Clients on default ports never had
// a port in their sector (URL.host omits it), so the new rule gives them the same IDs as before.
export const PINNED_SECTOR_PROPERTY = 'cyberid_pairwise_sector';

const hostname = (uri: unknown): string | undefined => {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return undefined;
  return new URL(uri).hostname || undefined;
};

/** The sector a client's pairwise IDs are derived from, from its (snake_case) metadata. */
export function pairwiseSectorOf(metadata: Record<string, unknown>): string | undefined {
  const pinned = metadata[PINNED_SECTOR_PROPERTY];
  if (typeof pinned === 'string' && pinned) return pinned;
  if (metadata.sector_identifier_uri) return hostname(metadata.sector_identifier_uri);
  const redirectUris = metadata.redirect_uris;
  return Array.isArray(redirectUris) ? hostname(redirectUris[0]) : undefined;
}
