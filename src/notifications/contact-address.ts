// What counts as an email address or a mobile number for notices, and the one form each is kept
// in (so the blind index finds it whatever the citizen typed).
import type { ChannelName } from './port.js';

// Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. The confirmation
// code, not a pattern, proves the address works.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// A mainland mobile number (11 digits from 1[3-9]), with or without +86; or another country's in E.164.
const MAINLAND = /^(?:\+?86)?(1[3-9]\d{9})$/;
const E164 = /^\+[1-9]\d{7,14}$/;

/** The address in its stored form, or undefined when it is not one. */
export function normalizeAddress(channel: ChannelName, raw: string): string | undefined {
  const value = raw.normalize('NFKC').trim();
  if (value.length > 254) return undefined;
  if (channel === 'email') {
    if (!EMAIL.test(value)) return undefined;
    const at = value.lastIndexOf('@');
    return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
  }
  const digits = value.replace(/[\s().-]/g, '');
  const mainland = MAINLAND.exec(digits);
  if (mainland) return `+86${mainland[1]}`;
  return E164.test(digits) ? digits : undefined;
}
