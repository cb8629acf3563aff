// Recognising the browser a citizen signs in from, so a sign-in from a new device can be
// pointed out to them. The browser keeps a random token (web/device-cookie.ts); we store only
// HMAC-SHA256(key, citizen id ‖ token) with the first and last time it was seen. Keyed and per
// citizen: the table reveals neither the cookie nor that two citizens shared a browser.
// A citizen's very first device is not "new" (there is nothing to compare it with), so it
// raises no notice.
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { KnownDeviceQueries } from '../queries/known-devices.js';
import type { AccountNotices } from './account-notices.js';

const TOKEN = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url
const UNKNOWN_DEVICE = 'other/other';

/** `description`: browser and system family code (web/device-description.ts), 'other/other' when unknown. */
export type KnownDevice = { description: string; firstSeenAt: Date; lastSeenAt: Date; signIns: number; current: boolean };

/** The device-hash key, derived from the blind-index secret (the keyed-hash secret) for this use only. */
export function deriveDeviceKey(blindIndexSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'known-device', 32));
}

type Dependencies = {
  queries: KnownDeviceQueries;
  notices: AccountNotices;
  key: Buffer;
  /** Tells the citizen outside the site too (email/SMS, through the outbox), in `trx`. */
  notifyNewDevice?: (citizenId: string, clientId: string | undefined, trx: Knex.Transaction) => Promise<void>;
  /** Runs `work` in one database transaction. */
  transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;
};

export function createKnownDevices({ queries, notices, key, notifyNewDevice = async () => {}, transaction }: Dependencies) {
  const hash = (citizenId: string, token: string) => createHmac('sha256', key).update(`${citizenId}|${token}`).digest('hex');
  return {
    /**
     * A successful sign-in from the browser holding `token` (undefined or malformed: a browser
     * without one), described by its browser and system family. Returns the token the browser should keep.
     */
    async signedIn(citizenId: string, token: string | undefined, clientId?: string, description = UNKNOWN_DEVICE): Promise<string> {
      const kept = token && TOKEN.test(token) ? token : randomBytes(32).toString('base64url');
      // The device's record and the notices it causes commit together (issue 8, durable outbox):
      // were the record to commit alone, a crash before the notices would make the device known
      // and the next sign-in from it would tell nobody.
      await transaction(async (trx) => {
        const { first, others } = await queries.recordDeviceSignIn(citizenId, hash(citizenId, kept), description, trx);
        if (first && others > 0) {
          await notices.newDevice(citizenId, clientId, trx);
          await notifyNewDevice(citizenId, clientId, trx);
        }
      });
      return kept;
    },
    /** Whether the browser holding `token` has signed in as this citizen before. */
    async isKnown(citizenId: string, token: string | undefined): Promise<boolean> {
      return token !== undefined && TOKEN.test(token) && queries.isKnownDevice(citizenId, hash(citizenId, token));
    },
    /** The citizen's devices; `current` marks the one holding `token` (the browser asking). */
    async list(citizenId: string, token?: string): Promise<KnownDevice[]> {
      const mine = token && TOKEN.test(token) ? hash(citizenId, token) : undefined;
      return (await queries.listKnownDevices(citizenId)).map((row) => ({
        description: row.description ?? UNKNOWN_DEVICE,
        current: row.device_hash === mine,
        firstSeenAt: new Date(row.first_seen_at),
        lastSeenAt: new Date(row.last_seen_at),
        signIns: row.sign_in_count,
      }));
    },
  };
}

export type KnownDevices = ReturnType<typeof createKnownDevices>;
