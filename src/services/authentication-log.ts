// The authentication log lawful assistance may provide (DESIGN.md "What the rules ask"; issue
// 11): for each authentication of a citizen — a sign-in (sign_in), a code issued to an ISP
// (authorization), a code exchanged or a token refreshed at the token endpoint (code_exchange,
// refresh) — its time, ISP, outcome, acr, and the network address and User-Agent of whoever made
// the request: the citizen's browser for sign_in and authorization, the ISP's server for
// code_exchange and refresh. The address is Koa's ctx.ip: the socket's peer, or with
// TRUST_PROXY=true the X-Forwarded-For entry the proxy appended (app.ts), never what a client
// wrote at the front of that header.
// - Address and User-Agent are encrypted (AES-256-GCM) under the citizen's log data key, wrapped
//   by the KEK like the identity data key but apart from it (cancellation shreds the identity;
//   network logs are kept for the retention period). Associated data binds each ciphertext to
//   its entry and column.
// - Decrypted only by `reveal`, which the lawful-access reveal calls (and audits).
// - Every refresh, code exchange and sign-in writes an entry, so each instance keeps the last
//   KEY_CACHE citizens' opened log keys (the process holds the KEK that opens them anyway): an
//   entry is then part of one INSERT that writes it only while the stored key is still the one it
//   was sealed under (insertEntriesUnderKeys); after a KEK rotation or a prune it falls back to
//   reading the key. Nothing is written under a key the database no longer holds. Entries that
//   arrive while such an INSERT is in flight go together in the next (db/coalesce.ts); each
//   record() still returns only once its entry is committed.
// - Kept AUTH_LOG_RETENTION_DAYS (at least 183: the Cybersecurity Law's six months for network
//   logs), then removed by `prune` (the server's hourly job, and `cyberid prune`) a month at a
//   time: a month's partition is dropped once its newest entry is past retention, so an entry
//   stays between AUTH_LOG_RETENTION_DAYS and a month longer (migration 20261203090000).
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../crypto/envelope.js';
import type { RewrapSource } from '../crypto/rewrap.js';
import type { AuthenticationEvent, AuthenticationLogQueries, AuthenticationLogRow } from '../queries/authentication-log.js';
import { coalesce } from '../db/coalesce.js';

export type AuthenticationRecord = {
  citizenId: string;
  clientId?: string | null;
  event: AuthenticationEvent;
  outcome: 'succeeded' | 'failed';
  /** A machine code (invalid_credentials, invalid_grant…), never free text. */
  reasonCode?: string;
  acr?: string;
  address?: string;
  userAgent?: string;
};

export type RevealedAuthentication = {
  occurred_at: string;
  event: AuthenticationEvent;
  outcome: 'succeeded' | 'failed';
  client_id: string | null;
  reason_code: string | null;
  acr: string | null;
  address: string | null;
  user_agent: string | null;
};

type Dependencies = {
  queries: AuthenticationLogQueries;
  envelope: Envelope;
  retentionDays: number;
  /** Where a detached write that failed is reported (the log must be complete: operators look). */
  onDetachedFailure?: (error: unknown) => void;
  now?: () => Date;
};

const keyAad = (citizenId: string) => `authentication_log_keys/${citizenId}`;
const fieldAad = (entryId: string, column: string) => `authentication_log/${entryId}/${column}`;
// Longer values are cut: a User-Agent is a header anyone can make as long as the server allows.
const MAX_FIELD = 512;
const PAGE = 500;
const DAY_MS = 86_400_000;
const KEY_CACHE = 10_000;

export function createAuthenticationLog({ queries, envelope, retentionDays, onDetachedFailure, now = () => new Date() }: Dependencies) {
  // Least recently used first (a Map keeps insertion order; a hit is moved to the end).
  const openedKeys = new Map<string, { wrapped: string; key: Buffer }>();
  function remember(citizenId: string, opened: { wrapped: string; key: Buffer }) {
    openedKeys.delete(citizenId);
    openedKeys.set(citizenId, opened);
    if (openedKeys.size > KEY_CACHE) openedKeys.delete(openedKeys.keys().next().value!);
  }

  const insertUnderKey = coalesce(queries.insertEntriesUnderKeys);

  function sealedRow(entry: AuthenticationRecord, id: string, key: Buffer) {
    const seal = (value: string | undefined, column: string) =>
      value ? envelope.encryptField(key, value.slice(0, MAX_FIELD), fieldAad(id, column)) : null;
    return {
      id,
      citizen_id: entry.citizenId,
      client_id: entry.clientId ?? null,
      event: entry.event,
      outcome: entry.outcome,
      reason_code: entry.reasonCode?.slice(0, 48) ?? null,
      acr: entry.acr ?? null,
      address_ciphertext: seal(entry.address, 'address'),
      user_agent_ciphertext: seal(entry.userAgent, 'user_agent'),
    };
  }

  const service = {
    async record(entry: AuthenticationRecord): Promise<void> {
      const id = randomUUID();
      const known = openedKeys.get(entry.citizenId);
      // A statement that failed for the whole batch (one bad entry) is retried entry by entry below.
      if (known && (await insertUnderKey({ row: sealedRow(entry, id, known.key), wrapped: known.wrapped }).catch(() => false))) {
        remember(entry.citizenId, known);
        return;
      }
      openedKeys.delete(entry.citizenId);
      const wrapped = await queries.findOrInsertKey(entry.citizenId, () => envelope.newDataKey(keyAad(entry.citizenId)).wrapped);
      const key = envelope.openDataKey(wrapped, keyAad(entry.citizenId));
      await queries.insertEntry(sealedRow(entry, id, key));
      remember(entry.citizenId, { wrapped, key });
    },

    /** For failed sign-ins, whose answer must not wait on (or reveal) the write. */
    recordDetached(entry: AuthenticationRecord): void {
      service.record(entry).catch((error: unknown) => onDetachedFailure?.(error));
    },

    /**
     * Every retained entry of one citizen, decrypted, newest first: only for the lawful-access
     * reveal, which audits the decryption.
     */
    async reveal(citizenId: string): Promise<RevealedAuthentication[]> {
      const wrapped = await queries.findKey(citizenId);
      const key = wrapped ? envelope.openDataKey(wrapped, keyAad(citizenId)) : undefined;
      const open = (row: AuthenticationLogRow, column: 'address' | 'user_agent') => {
        const ciphertext = row[`${column}_ciphertext`];
        return key && ciphertext ? envelope.decryptField(key, ciphertext, fieldAad(row.id, column)) : null;
      };
      const entries: RevealedAuthentication[] = [];
      for (let before: AuthenticationLogRow | undefined; ;) {
        const page = await queries.listEntries(citizenId, PAGE, before);
        for (const row of page) {
          entries.push({
            occurred_at: new Date(row.occurred_at).toISOString(),
            event: row.event,
            outcome: row.outcome,
            client_id: row.client_id,
            reason_code: row.reason_code,
            acr: row.acr,
            address: open(row, 'address'),
            user_agent: open(row, 'user_agent'),
          });
        }
        if (page.length < PAGE) return entries;
        before = page[page.length - 1];
      }
    },

    /** Drops the months past retention (and deletes the keys nothing needs any more). */
    async prune(at: Date = now()): Promise<{ partitions: string[]; entries: number; keys: number; before: string }> {
      const cutoff = new Date(at.getTime() - retentionDays * DAY_MS);
      return { ...(await queries.deleteOlderThan(cutoff)), before: cutoff.toISOString() };
    },

    /** KEK rotation: the citizens' log keys (services/kek-rotation.ts). */
    rewrapSource(): RewrapSource {
      return {
        list: async (after, limit) => (await queries.listKeys(after, limit)).map((row) => ({ id: row.citizen_id, wrapped: row.data_key })),
        current: (citizenId) => queries.findKey(citizenId),
        rewrap: ({ id, wrapped }) => (envelope.kekIdOf(wrapped) === envelope.activeKekId ? undefined : envelope.rewrap(wrapped, keyAad(id))),
        replace: (citizenId, previous, next) => queries.replaceKey(citizenId, previous, next),
        kekIdOf: (wrapped) => envelope.kekIdOf(wrapped),
      };
    },
  };
  return service;
}

export type AuthenticationLog = ReturnType<typeof createAuthenticationLog>;
