// The citizen's own addresses for notices: at most one email address and one mobile number, each
// confirmed with a six-digit code sent to it before anything else is sent there. Stored sealed
// with a blind index (contact-sealing.ts); the code only as an HMAC, for 15 minutes, five tries.
// Replacing a confirmed address means removing it first, with the password: someone who only
// holds a signed-in session cannot quietly point the notices elsewhere. Removing a confirmed
// address is told to the addresses that remain and, once, to the removed one itself: whoever
// took the password and removes the owner's address to act unseen is exactly who that address's
// owner must hear about, and it may be their only one. Its row is gone before the worker
// delivers, so the notice carries a sealed copy, erased once the notice is done with
// (docs/privacy.md); never more than that one notice.
import { createHmac, randomInt, randomUUID, timingSafeEqual, hkdfSync } from 'node:crypto';
import { FormError } from '../errors.js';
import type { ContactQueries } from '../queries/citizen-contacts.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { AccountEvents } from '../services/account-events.js';
import type { CounterStore } from '../storage/model-store.js';
import type { Locale } from '../web/i18n.js';
import type { ContactSealing } from './contact-sealing.js';
import { renderContactCode } from './messages.js';
import type { ChannelName, NotificationChannel } from './port.js';
import { normalizeAddress } from './contact-address.js';

export const CODE_TTL_SECONDS = 15 * 60;
export const MAX_CODE_ATTEMPTS = 5;
/** Codes sent per citizen per hour: each one is a message to an address someone typed. */
export const MAX_CODES_PER_HOUR = 5;

export type ContactView = { channel: ChannelName; address: string; confirmed: boolean; confirmedAt: Date | null };

type Dependencies = {
  queries: ContactQueries;
  sealing: ContactSealing;
  channels: NotificationChannel[];
  hasher: Pick<PasswordHasher, 'verify'>;
  counters: Pick<CounterStore, 'increment'>;
  /** Confirming or removing an address, its audit entry and its notice: one transaction. */
  events: AccountEvents;
  codeSecret: Buffer;
  now?: () => Date;
};

export function createContacts({ queries, sealing, channels, hasher, counters, events, codeSecret, now = () => new Date() }: Dependencies) {
  const codeKey = Buffer.from(hkdfSync('sha256', codeSecret, 'cyberspace-id', 'contact-confirmation-code', 32));
  const codeHash = (citizenId: string, channel: ChannelName, code: string) =>
    createHmac('sha256', codeKey).update(`${citizenId}|${channel}|${code}`).digest('hex');
  const channelFor = (name: ChannelName) => channels.find((c) => c.name === name);

  return {
    /** The channels this deployment can send on (email needs SMTP_URL, SMS the gateway). */
    available: (): ChannelName[] => channels.map((c) => c.name),

    async list(citizenId: string): Promise<ContactView[]> {
      return (await queries.listContactsOf(citizenId)).map((row) => ({
        channel: row.channel,
        address: sealing.open(citizenId, row.channel, row.address_sealed),
        confirmed: row.confirmed_at !== null,
        confirmedAt: row.confirmed_at,
      }));
    },

    /** Stores the address unconfirmed and sends it a code. Bad input changes nothing. */
    async start(citizen: CitizenRow, channelName: string, rawAddress: string, locale: Locale): Promise<ChannelName> {
      if (channelName !== 'email' && channelName !== 'sms') throw new FormError({ channel: 'unknown' });
      const channel = channelFor(channelName);
      if (!channel) throw new FormError({ channel: 'unavailable' });
      const address = normalizeAddress(channelName, rawAddress);
      if (!address) throw new FormError({ address: channelName === 'email' ? 'invalid_email' : 'invalid_phone' });
      const existing = await queries.findContact(citizen.id, channelName);
      if (existing?.confirmed_at) throw new FormError({ address: 'remove_first' });
      if ((await counters.increment(`contact-code:${citizen.id}`, 3600)) > MAX_CODES_PER_HOUR) throw new FormError({ address: 'throttled' });
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await queries.upsertContact({
        citizen_id: citizen.id,
        channel: channelName,
        address_sealed: sealing.seal(citizen.id, channelName, address),
        address_index: sealing.blindIndex(channelName, address),
        locale,
        code_hash: codeHash(citizen.id, channelName, code),
        code_expires_at: new Date(now().getTime() + CODE_TTL_SECONDS * 1000),
        confirmed_at: null,
      });
      try {
        await channel.send({ idempotencyKey: `contact-code.${randomUUID()}`, to: address, locale, ...renderContactCode(code, locale) });
      } catch {
        throw new FormError({ address: 'not_sent' });
      }
      return channelName;
    },

    /** Confirms the pending address with its code; five wrong codes or an old one start over. */
    async confirm(citizen: CitizenRow, channelName: string, rawCode: string): Promise<void> {
      if (channelName !== 'email' && channelName !== 'sms') throw new FormError({ channel: 'unknown' });
      const row = await queries.findContact(citizen.id, channelName);
      if (!row || row.confirmed_at || !row.code_hash) throw new FormError({ code: 'nothing_pending' });
      if (!row.code_expires_at || row.code_expires_at.getTime() < now().getTime()) {
        await queries.deleteContact(citizen.id, channelName);
        throw new FormError({ code: 'expired' });
      }
      const attempts = await queries.countCodeAttempt(citizen.id, channelName);
      if (attempts > MAX_CODE_ATTEMPTS) {
        await queries.deleteContact(citizen.id, channelName);
        throw new FormError({ code: 'too_many' });
      }
      const code = rawCode.replace(/\s/g, '');
      const given = Buffer.from(codeHash(citizen.id, channelName, /^\d{6}$/.test(code) ? code : 'not-a-code'));
      if (!timingSafeEqual(given, Buffer.from(row.code_hash))) throw new FormError({ code: 'incorrect' });
      await events.run(async ({ trx, record }) => {
        await queries.markConfirmed(citizen.id, channelName, trx);
        await record({ type: 'account.contact_added', citizenId: citizen.id, actor: 'citizen', details: { channel: channelName } });
      });
    },

    /** Removes an address (confirmed or not) after the password; nothing is sent there again. */
    async remove(citizen: CitizenRow, channelName: string, password: string): Promise<void> {
      if (channelName !== 'email' && channelName !== 'sms') throw new FormError({ channel: 'unknown' });
      if (!(await hasher.verify(citizen.password_hash, password.normalize('NFC')))) throw new FormError({ password: 'incorrect' });
      await events.run(async ({ trx, record }) => {
        const row = await queries.findContact(citizen.id, channelName, trx);
        if (!row || !(await queries.deleteContact(citizen.id, channelName, trx))) return;
        const event = { type: 'account.contact_removed', citizenId: citizen.id, actor: 'citizen', details: { channel: channelName } } as const;
        // An address never confirmed was never sent a notice: nothing to tell anyone.
        if (!row.confirmed_at) return record(event, null);
        const idempotencyKey = randomUUID();
        const address = sealing.open(citizen.id, channelName, row.address_sealed);
        const removedAddressSealed = sealing.sealRemoved(citizen.id, idempotencyKey, { channel: channelName, address, locale: row.locale });
        await record(event, { options: { idempotencyKey, removedAddressSealed } });
      });
    },
  };
}

export type Contacts = ReturnType<typeof createContacts>;
