// Email addresses and phone numbers are personal data: sealed like identity data (an envelope
// data key per value, AAD naming citizen and channel, so a ciphertext cannot be moved to another
// row) and found by a blind index (HMAC under its own key derived from BLIND_INDEX_SECRET).
import { createHmac, hkdfSync } from 'node:crypto';
import type { Envelope } from '../crypto/envelope.js';
import type { ChannelName } from './port.js';
import type { ContactQueries } from '../queries/citizen-contacts.js';
import type { RewrapSource } from '../crypto/rewrap.js';

const aad = (citizenId: string, channel: ChannelName) => `citizen_contacts/${citizenId}/${channel}`;
const removedAad = (citizenId: string, idempotencyKey: string) => `notification_outbox/${citizenId}/${idempotencyKey}/removed_address`;

/** A removed address, as its last notice carries it. */
export type RemovedAddress = { channel: ChannelName; address: string; locale: string };

export function createContactSealing(envelope: Envelope, blindIndexSecret: Buffer) {
  const indexKey = Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'contact-blind-index', 32));
  return {
    seal: (citizenId: string, channel: ChannelName, address: string) => envelope.seal(address, aad(citizenId, channel)),
    open: (citizenId: string, channel: ChannelName, sealed: string) => envelope.open(sealed, aad(citizenId, channel)),
    /** The copy a contact_removed notice carries, bound to that notice (its idempotency key). */
    sealRemoved: (citizenId: string, idempotencyKey: string, removed: RemovedAddress) => envelope.seal(JSON.stringify(removed), removedAad(citizenId, idempotencyKey)),
    openRemoved: (citizenId: string, idempotencyKey: string, sealed: string) => JSON.parse(envelope.open(sealed, removedAad(citizenId, idempotencyKey))) as RemovedAddress,
    blindIndex: (channel: ChannelName, normalized: string) => createHmac('sha256', indexKey).update(`${channel}|${normalized}`).digest('hex'),
  };
}

export type ContactSealing = ReturnType<typeof createContactSealing>;

/** The sealed addresses as a KEK-rotation source (services/kek-rotation.ts). */
export function contactRewrapSource(queries: Pick<ContactQueries, 'listSealed' | 'findSealed' | 'replaceSealed'>, envelope: Pick<Envelope, 'kekIdOf' | 'rewrapSealed'>): RewrapSource {
  const split = (id: string) => id.split('/') as [string, ChannelName];
  return {
    list: (after, limit) => queries.listSealed(after, limit),
    current: (id) => queries.findSealed(...split(id)),
    rewrap: ({ id, wrapped }) => envelope.rewrapSealed(wrapped, aad(...split(id))),
    replace: (id, previous, next) => queries.replaceSealed(...split(id), previous, next),
    kekIdOf: (sealed) => envelope.kekIdOf(sealed),
  };
}
