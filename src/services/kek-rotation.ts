// Key-encryption key (KEK) rotation: `cyberid keys rotate-kek` re-wraps every stored data key
// under the active KEK (the first in KEY_ENCRYPTION_KEYS), so the old KEK can then be removed
// from configuration. Three kinds of record hold a wrapped data key:
// - citizens.data_key (one per citizen; the field ciphertexts under it stay as they are);
// - signing_keys.private_jwk_ciphertext (the private JWK sealed with its own data key);
// - clients.secret_ciphertext (the client secret sealed with its own data key);
// - citizens.totp_secret_ciphertext (a second-factor secret sealed with its own data key);
// - authentication_log_keys.data_key (one per citizen; the log's network data stays as it is);
// - citizen_contacts.address_sealed (a notice address sealed with its own data key).
// Safe while the service runs: batches, compare-and-set per row (crypto/rewrap.ts), and
// idempotent, so an interrupted or repeated run is harmless. The report says, per kind, what
// was re-wrapped and how many values still name another KEK; operators run it again until
// nothing remains (docs/operations.md). Nothing here ever decrypts identity fields.
import { countByKek, rewrapAll, type RewrapCounts, type RewrapOptions, type RewrapSource } from '../crypto/rewrap.js';
import type { Envelope } from '../crypto/envelope.js';
import type { CitizenQueries } from '../queries/citizens.js';
import type { IdentityVault } from './identity-vault.js';
import type { SigningKeyService } from './signing-keys.js';
import type { ClientService } from './clients.js';
import type { AuthenticationLog } from './authentication-log.js';
import type { AuditService } from './audit.js';
import { secretAad as totpSecretAad } from './two-factor.js';

export const KEK_KINDS = ['citizen_data_keys', 'signing_keys', 'client_secrets', 'totp_secrets', 'authentication_log_keys', 'operator_totp_secrets', 'notice_addresses'] as const;
export type KekKind = (typeof KEK_KINDS)[number];

export type KindReport = RewrapCounts & {
  /** After this run: how many values of this kind still name a KEK other than the active one. */
  remaining: number;
};

export type KekRotationReport = {
  kek_id: string;
  kinds: Record<KekKind, KindReport>;
  rewrapped: number;
  remaining: number;
  unreadable: number;
  /** Every value is under the active KEK: the other KEKs can be removed from configuration. */
  complete: boolean;
};

export type KekStatus = {
  active_kek_id: string;
  configured_kek_ids: string[];
  /** Per kind, how many values name each KEK id. */
  kinds: Record<KekKind, Record<string, number>>;
  /** Values under a KEK other than the active one. */
  remaining: number;
  /** KEK ids named by stored values but not configured: those values cannot be read. */
  missing_kek_ids: string[];
};

type Dependencies = {
  citizenQueries: Pick<CitizenQueries, 'listDataKeys' | 'findDataKey' | 'replaceDataKey' | 'countDataKeysByKek' | 'listTotpSecrets' | 'findTotpSecret' | 'replaceTotpSecret'>;
  vault: Pick<IdentityVault, 'rewrapDataKey'>;
  keys: Pick<SigningKeyService, 'rewrapSource'>;
  clients: Pick<ClientService, 'rewrapSource'>;
  authenticationLog: Pick<AuthenticationLog, 'rewrapSource'>;
  /** The operators' sealed TOTP secrets (src/operators/totp.ts). */
  operatorTotpSecrets: RewrapSource;
  /** The citizens' sealed notice addresses (notifications/contact-sealing.ts). */
  noticeAddresses: RewrapSource;
  envelope: Pick<Envelope, 'activeKekId' | 'kekIdOf' | 'rewrapSealed'>;
  /** Every KEK id in configuration (to tell an old key from a missing one). */
  configuredKekIds: readonly string[];
  audit: Pick<AuditService, 'record'>;
};

export function createKekRotation({ citizenQueries, vault, keys, clients, authenticationLog, operatorTotpSecrets, noticeAddresses, envelope, configuredKekIds, audit }: Dependencies) {
  const citizenSource: RewrapSource = {
    async list(after, limit) {
      const rows = await citizenQueries.listDataKeys(after, limit);
      return rows.map((row) => ({ id: row.id, wrapped: row.data_key! }));
    },
    current: (id) => citizenQueries.findDataKey(id),
    rewrap: ({ id, wrapped }) => vault.rewrapDataKey(id, wrapped),
    replace: (id, previous, next) => citizenQueries.replaceDataKey(id, previous, next),
    kekIdOf: (wrapped) => envelope.kekIdOf(wrapped),
    countByKek: () => citizenQueries.countDataKeysByKek(),
  };
  const totpSource: RewrapSource = {
    list: async (after, limit) => (await citizenQueries.listTotpSecrets(after, limit)).map((row) => ({ id: row.id, wrapped: row.totp_secret_ciphertext })),
    current: (id) => citizenQueries.findTotpSecret(id),
    rewrap: ({ id, wrapped }) => envelope.rewrapSealed(wrapped, totpSecretAad(id)),
    replace: (id, previous, next) => citizenQueries.replaceTotpSecret(id, previous, next),
    kekIdOf: (sealed) => envelope.kekIdOf(sealed),
  };
  const sources = (): Record<KekKind, RewrapSource> => ({
    citizen_data_keys: citizenSource,
    signing_keys: keys.rewrapSource(),
    client_secrets: clients.rewrapSource(),
    totp_secrets: totpSource,
    authentication_log_keys: authenticationLog.rewrapSource(),
    operator_totp_secrets: operatorTotpSecrets,
    notice_addresses: noticeAddresses,
  });
  const underOtherKeks = (counts: Record<string, number>) =>
    Object.entries(counts).reduce((sum, [kek, n]) => (kek === envelope.activeKekId ? sum : sum + n), 0);

  return {
    /** Where every wrapped data key stands; writes nothing. */
    async status(): Promise<KekStatus> {
      const kinds = {} as KekStatus['kinds'];
      for (const [kind, source] of Object.entries(sources()) as Array<[KekKind, RewrapSource]>) kinds[kind] = await countByKek(source);
      const named = new Set(Object.values(kinds).flatMap((counts) => Object.keys(counts)));
      return {
        active_kek_id: envelope.activeKekId,
        configured_kek_ids: [...configuredKekIds],
        kinds,
        remaining: Object.values(kinds).reduce((sum, counts) => sum + underOtherKeks(counts), 0),
        missing_kek_ids: [...named].filter((kek) => !configuredKekIds.includes(kek)).sort(),
      };
    },

    /** Re-wraps every data key under the active KEK; audited as `kek.rotated`. */
    async rotate(options: RewrapOptions = {}): Promise<KekRotationReport> {
      const kinds = {} as KekRotationReport['kinds'];
      for (const [kind, source] of Object.entries(sources()) as Array<[KekKind, RewrapSource]>) {
        const counts = await rewrapAll(source, options);
        kinds[kind] = { ...counts, remaining: underOtherKeks(await countByKek(source, options.batchSize)) };
      }
      const all = Object.values(kinds);
      const report: KekRotationReport = {
        kek_id: envelope.activeKekId,
        kinds,
        rewrapped: all.reduce((sum, k) => sum + k.rewrapped, 0),
        remaining: all.reduce((sum, k) => sum + k.remaining, 0),
        unreadable: all.reduce((sum, k) => sum + k.unreadable, 0),
        complete: false,
      };
      report.complete = report.remaining === 0 && report.unreadable === 0;
      await audit.record({
        type: 'kek.rotated',
        actor: 'operator',
        details: { kek_id: report.kek_id, count: report.rewrapped, status: report.complete ? 'complete' : 'incomplete' },
      });
      return report;
    },
  };
}

export type KekRotation = ReturnType<typeof createKekRotation>;
