// Email addresses and phone numbers are personal data: sealed like identity data (an envelope
// data key per value, AAD naming citizen and channel, so a ciphertext cannot be moved to another
// row) and found by a blind index (HMAC under its own key derived from BLIND_INDEX_SECRET).
import { createHmac, hkdfSync } from 'node:crypto';
import type { Envelope } from '../crypto/envelope.js';
import type { ChannelName } from './port.js';

const aad = (citizenId: string, channel: ChannelName) => `citizen_contacts/${citizenId}/${channel}`;

export function createContactSealing(envelope: Envelope, blindIndexSecret: Buffer) {
  const indexKey = Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'contact-blind-index', 32));
  return {
    seal: (citizenId: string, channel: ChannelName, address: string) => envelope.seal(address, aad(citizenId, channel)),
    open: (citizenId: string, channel: ChannelName, sealed: string) => envelope.open(sealed, aad(citizenId, channel)),
    blindIndex: (channel: ChannelName, normalized: string) => createHmac('sha256', indexKey).update(`${channel}|${normalized}`).digest('hex'),
  };
}

export type ContactSealing = ReturnType<typeof createContactSealing>;
