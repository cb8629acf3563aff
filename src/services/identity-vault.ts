// The only place identity data is encrypted, decrypted and blind-indexed.
// - Each citizen has one data key (wrapped by the KEK); each field is AES-256-GCM under it,
//   with associated data "citizens/<id>/<column>" binding the ciphertext to its row and column.
// - The document blind index is HMAC-SHA256 under its own key (HKDF from BLIND_INDEX_SECRET):
//   equal documents give equal indexes, nothing else can be learned or reversed.
// - Every decryption goes through `open`, which reports the access (audit log).
import { createHmac, hkdfSync } from 'node:crypto';
import type { Envelope } from '../crypto/envelope.js';
import { documentBlindIndexInput, type DocumentType } from '../identity/documents.js';

export type Identity = {
  name?: string;
  documentType?: DocumentType;
  documentNumber?: string;
  birthDate?: string;
};

export type SealedIdentity = {
  data_key: string;
  name_ciphertext: string | null;
  document_type_ciphertext: string | null;
  document_number_ciphertext: string | null;
  birth_date_ciphertext: string | null;
};

const FIELDS = [
  ['name', 'name_ciphertext'],
  ['documentType', 'document_type_ciphertext'],
  ['documentNumber', 'document_number_ciphertext'],
  ['birthDate', 'birth_date_ciphertext'],
] as const;

const recordAad = (citizenId: string) => `citizens/${citizenId}`;
const fieldAad = (citizenId: string, column: string) => `citizens/${citizenId}/${column}`;

export type IdentityAccess = { citizenId: string; fields: string[]; purpose: string };

type Dependencies = {
  envelope: Envelope;
  blindIndexSecret: Buffer;
  /** Called for every decryption (the audit log records it). */
  onAccess?: (access: IdentityAccess) => Promise<void> | void;
};

export function createIdentityVault({ envelope, blindIndexSecret, onAccess }: Dependencies) {
  const blindIndexKey = Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'document-blind-index', 32));

  return {
    seal(citizenId: string, identity: Identity): SealedIdentity {
      const { key, wrapped } = envelope.newDataKey(recordAad(citizenId));
      const sealed: SealedIdentity = {
        data_key: wrapped,
        name_ciphertext: null,
        document_type_ciphertext: null,
        document_number_ciphertext: null,
        birth_date_ciphertext: null,
      };
      for (const [field, column] of FIELDS) {
        const value = identity[field];
        if (value !== undefined) sealed[column] = envelope.encryptField(key, value, fieldAad(citizenId, column));
      }
      return sealed;
    },

    /** Decrypts the requested fields of one citizen for a stated purpose (audited). */
    async open(citizenId: string, row: Partial<SealedIdentity>, fields: ReadonlyArray<keyof Identity>, purpose: string): Promise<Identity> {
      if (!row.data_key) return {};
      const key = envelope.openDataKey(row.data_key, recordAad(citizenId));
      const identity: Identity = {};
      for (const [field, column] of FIELDS) {
        const ciphertext = row[column];
        if (fields.includes(field) && ciphertext) {
          (identity as Record<string, string>)[field] = envelope.decryptField(key, ciphertext, fieldAad(citizenId, column));
        }
      }
      await onAccess?.({ citizenId, fields: Object.keys(identity), purpose });
      return identity;
    },

    blindIndex(documentType: DocumentType, normalizedNumber: string): string {
      return createHmac('sha256', blindIndexKey).update(documentBlindIndexInput(documentType, normalizedNumber)).digest('hex');
    },

    /** KEK rotation: a data key wrapped under the active KEK; the field ciphertexts stay. */
    rewrapDataKey(citizenId: string, wrapped: string): string | undefined {
      return envelope.kekIdOf(wrapped) === envelope.activeKekId ? undefined : envelope.rewrap(wrapped, recordAad(citizenId));
    },
  };
}

export type IdentityVault = ReturnType<typeof createIdentityVault>;
