// Envelope encryption (AES-256-GCM): every record gets its own random data key (DEK); the DEK
// is stored wrapped by a key-encryption key (KEK) from configuration, tagged with the KEK's id,
// so KEKs rotate by re-wrapping DEKs without touching the data. Associated data binds each
// ciphertext to where it lives (table, row, column): a ciphertext copied to another row or
// column fails to decrypt instead of silently attributing one person's data to another.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../config/keyring.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function gcmOpen(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError('ciphertext failed authentication (wrong key, row or column)');
  }
}

/** A data key as stored: "v1:<kek id>:<wrapped key>". */
export type WrappedDataKey = string;

export type DataKey = { key: Buffer; wrapped: WrappedDataKey };

export type Envelope = ReturnType<typeof createEnvelope>;

export function createEnvelope(keyring: Keyring) {
  const kek = (id: string) => {
    const key = keyring.keys.get(id);
    if (!key) throw new DecryptionError(`key-encryption key "${id}" is not configured`);
    return key;
  };
  const wrapAad = (recordAad: string) => `dek|${recordAad}`;

  function wrap(key: Buffer, recordAad: string): WrappedDataKey {
    return `${VERSION}:${keyring.activeId}:${gcmSeal(kek(keyring.activeId), key, wrapAad(recordAad))}`;
  }

  function unwrap(wrapped: WrappedDataKey, recordAad: string): Buffer {
    const [version, kekId, body] = wrapped.split(':');
    if (version !== VERSION || !kekId || !body) throw new DecryptionError('malformed wrapped data key');
    return gcmOpen(kek(kekId), body, wrapAad(recordAad));
  }

  /** A fresh data key for one record; `recordAad` names the record, e.g. "citizens/<uuid>". */
  function newDataKey(recordAad: string): DataKey {
    const key = randomBytes(32);
    return { key, wrapped: wrap(key, recordAad) };
  }

  return {
    newDataKey,
    openDataKey: unwrap,
    /** Re-wraps a data key under the active KEK (KEK rotation); the data stays as it is. */
    rewrap(wrapped: WrappedDataKey, recordAad: string): WrappedDataKey {
      return wrap(unwrap(wrapped, recordAad), recordAad);
    },
    kekIdOf(wrapped: WrappedDataKey): string | undefined {
      return wrapped.split(':')[1];
    },
    /**
     * KEK rotation of a sealed single value: re-wraps its data key under the active KEK and keeps
     * the value's ciphertext; undefined when it is already under the active KEK (idempotent).
     */
    rewrapSealed(sealed: string, aad: string): string | undefined {
      const dot = sealed.lastIndexOf('.');
      if (dot < 0) throw new DecryptionError('malformed sealed value');
      const wrapped = sealed.slice(0, dot);
      if (wrapped.split(':')[1] === keyring.activeId) return undefined;
      return `${wrap(unwrap(wrapped, aad), aad)}${sealed.slice(dot)}`;
    },
    get activeKekId() {
      return keyring.activeId;
    },
    encryptField(dataKey: Buffer, plaintext: string, fieldAad: string): string {
      return gcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), fieldAad);
    },
    decryptField(dataKey: Buffer, ciphertext: string, fieldAad: string): string {
      return gcmOpen(dataKey, ciphertext, fieldAad).toString('utf8');
    },
    /** Single-value records (a private key, a client secret): data key and value in one string. */
    seal(plaintext: string, aad: string): string {
      const { key, wrapped } = newDataKey(aad);
      return `${wrapped}.${gcmSeal(key, Buffer.from(plaintext, 'utf8'), aad)}`;
    },
    open(sealed: string, aad: string): string {
      const dot = sealed.lastIndexOf('.');
      if (dot < 0) throw new DecryptionError('malformed sealed value');
      const key = unwrap(sealed.slice(0, dot), aad);
      return gcmOpen(key, sealed.slice(dot + 1), aad).toString('utf8');
    },
  };
}
