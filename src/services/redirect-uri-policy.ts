// Redirect URI rules for ISPs, applied to the CLI and to dynamic registration alike.
// RFC 9700 §2.1 / §4.1.3: exact matching (oidc-provider compares strings), no fragments;
// https everywhere except loopback http for native apps (RFC 8252 §7.3); private-use
// schemes for native apps (RFC 8252 §7.1) must be reverse-domain names.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/;

export function redirectUriProblems(uris: unknown[], field = 'redirect_uris'): string[] {
  const problems: string[] = [];
  for (const value of uris) {
    if (typeof value !== 'string') {
      problems.push(`${field}: every entry must be a string`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`${field}: "${value}" is not an absolute URI`);
      continue;
    }
    if (url.hash || value.includes('#')) problems.push(`${field}: "${value}" must not contain a fragment`);
    // Exact matching only (RFC 9700 §4.1.3): a wildcard would be compared literally by
    // oidc-provider, and reads as a promise of pattern matching that no one keeps.
    if (/\*|%2a/i.test(value)) problems.push(`${field}: "${value}" must not contain a wildcard`);
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:') {
      if (!LOOPBACK_HOSTS.has(url.hostname)) problems.push(`${field}: "${value}" uses http; only https or a loopback address (127.0.0.1, [::1], localhost) is allowed`);
      continue;
    }
    if (!PRIVATE_USE_SCHEME.test(url.protocol)) problems.push(`${field}: "${value}" must use https, loopback http, or a reverse-domain private-use scheme (e.g. cn.example.app:/cb)`);
  }
  return problems;
}

/**
 * OIDC Core §8.1: pairwise IDs are derived from the host of the client's sector_identifier_uri,
 * else of its redirect URIs. A private-use scheme URI (cn.example.app:/cb) has no host, so such
 * a client must register a sector_identifier_uri; otherwise there is no sector to derive its
 * citizens' IDs in. (Several hosts without one are refused by oidc-provider itself.)
 */
export function sectorProblems(redirectUris: unknown[], sectorIdentifierUri: unknown, options: SectorOptions = {}): string[] {
  if (sectorIdentifierUri) return [];
  // Loopback hosts are shared by every native app on every device: without a sector URI two
  // unrelated apps would see the same pairwise ID for a citizen. Development keeps them
  // (the demo ISP lives on localhost); production requires the ISP's own sector.
  const hosts = redirectUris.map((value) => {
    try {
      return typeof value === 'string' ? new URL(value).hostname : '';
    } catch {
      return '';
    }
  });
  if (options.production && hosts.length > 0 && hosts.every((host) => LOOPBACK_HOSTS.has(host))) {
    return ['redirect_uris: loopback addresses are shared by every native app; register a sector_identifier_uri on your own domain (OIDC Core §8.1)'];
  }
  const hostless = redirectUris.filter((value) => {
    try {
      return typeof value === 'string' && new URL(value).host === '';
    } catch {
      return false; // reported by redirectUriProblems
    }
  });
  return hostless.length
    ? [`redirect_uris: "${String(hostless[0])}" has no host to serve as the pairwise sector; register a sector_identifier_uri (OIDC Core §8.1)`]
    : [];
}

export type SectorOptions = { production?: boolean };

/** Everything the registry requires of a client's metadata (CLI and dynamic registration alike). */
export function clientMetadataProblems(metadata: Record<string, unknown>, options: SectorOptions = {}): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
  const redirectUris = list(metadata.redirect_uris);
  return [
    ...redirectUriProblems(redirectUris),
    ...redirectUriProblems(list(metadata.post_logout_redirect_uris), 'post_logout_redirect_uris'),
    ...sectorProblems(redirectUris, metadata.sector_identifier_uri, options),
  ];
}
