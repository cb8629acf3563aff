// In production, the URLs of an ISP's that the provider itself calls — backchannel_logout_uri
// (POSTed logout tokens), jwks_uri and sector_identifier_uri (fetched) — must not name loopback
// or private hosts: the provider would be made to reach into its own network (SSRF). Refused
// at registration (CLI and RFC 7591/7592 alike) with a message naming the field, instead of the
// bare "fetch failed" the outgoing guard gives later. A DNS name that resolves to a private
// address is still stopped by that guard at delivery time (outbound-fetch.ts keeps it in
// production). Outside production they are allowed, so a developer can test on one machine.
import { BlockList, isIP } from 'node:net';

export const OUTBOUND_TARGET_FIELDS = ['backchannel_logout_uri', 'jwks_uri', 'sector_identifier_uri'] as const;

const PRIVATE = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15]] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return PRIVATE.check(host, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    return mapped ? PRIVATE.check(mapped, 'ipv4') : PRIVATE.check(host, 'ipv6');
  }
  return false;
}

/** The problems of a client's outbound targets in production (none outside it). */
export function outboundTargetProblems(metadata: Record<string, unknown>, options: { production: boolean }): string[] {
  if (!options.production) return [];
  const problems: string[] = [];
  for (const field of OUTBOUND_TARGET_FIELDS) {
    const value = metadata[field];
    if (typeof value !== 'string') continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue; // oidc-provider reports a malformed URI itself
    }
    if (isPrivateHost(url.hostname)) problems.push(`${field} "${value}" points at a loopback or private address, which production refuses (the provider would call into its own network); use a public host name`);
  }
  return problems;
}
