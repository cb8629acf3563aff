// Envelope encryption (DESIGN.md "Privacy by construction"): AES-256-GCM with a data key per
// record wrapped by a key-encryption key (KEK) named by id; associated data binds each
// ciphertext to its table, row and column; KEKs rotate by re-wrapping data keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createEnvelope, DecryptionError } from '../../src/crypto/envelope.js';
import { parseKeyring, type Keyring } from '../../src/config/keyring.js';

const material = () => randomBytes(32).toString('base64url');
const OLD = `old:${material()}`;
const NEW = `new:${material()}`;

function keyring(value: string): Keyring {
  const problems: string[] = [];
  const parsed = parseKeyring('KEY_ENCRYPTION_KEYS', value, problems);
  assert.deepEqual(problems, []);
  return parsed!;
}

/** Flips one bit of byte `index` (negative: from the end) of a base64url string. */
function flipByte(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64url');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString('base64url');
}

/** "v1:<kek>:<wrapped>.<data>" → its parts. */
function parts(sealed: string) {
  const dot = sealed.lastIndexOf('.');
  const [version, kek, wrapped] = sealed.slice(0, dot).split(':') as [string, string, string];
  return { version, kek, wrapped, data: sealed.slice(dot + 1) };
}
const join = (p: ReturnType<typeof parts>) => `${p.version}:${p.kek}:${p.wrapped}.${p.data}`;

const rejects = (fn: () => unknown, message?: string) => assert.throws(fn, DecryptionError, message);

describe('envelope encryption', () => {
  const envelope = createEnvelope(keyring(OLD));
  const AAD = 'citizens/6f1c0d2e-0000-4000-8000-000000000001/name';

  describe('seal / open', () => {
    for (const plaintext of ['', '张三', 'a'.repeat(10_000), '{"kty":"EC","d":"secret"}']) {
      it(`round-trips ${JSON.stringify(plaintext.slice(0, 20))}${plaintext.length > 20 ? '…' : ''}`, () => {
        const sealed = envelope.seal(plaintext, AAD);
        assert.equal(envelope.open(sealed, AAD), plaintext);
        if (plaintext) assert.ok(!sealed.includes(plaintext) && !sealed.includes(Buffer.from(plaintext).toString('base64url')), 'no plaintext in the ciphertext');
        assert.equal(envelope.kekIdOf(sealed.slice(0, sealed.lastIndexOf('.'))), 'old');
      });
    }

    it('uses a fresh data key and IV each time', () => {
      const a = parts(envelope.seal('same', AAD));
      const b = parts(envelope.seal('same', AAD));
      assert.notEqual(a.wrapped, b.wrapped);
      assert.notEqual(a.data, b.data);
    });

    it('round-trips field encryption under one record data key', () => {
      const { key, wrapped } = envelope.newDataKey('citizens/1');
      const name = envelope.encryptField(key, '李四', 'citizens/1/name');
      const number = envelope.encryptField(key, '11010519491231002X', 'citizens/1/document_number');
      const reopened = envelope.openDataKey(wrapped, 'citizens/1');
      assert.equal(envelope.decryptField(reopened, name, 'citizens/1/name'), '李四');
      assert.equal(envelope.decryptField(reopened, number, 'citizens/1/document_number'), '11010519491231002X');
    });
  });

  describe('associated data binds a ciphertext to its row and column', () => {
    it('a sealed value moved to another row or column fails to open', () => {
      const sealed = envelope.seal('王五', 'citizens/row-1/name');
      assert.equal(envelope.open(sealed, 'citizens/row-1/name'), '王五');
      rejects(() => envelope.open(sealed, 'citizens/row-2/name'), 'another row');
      rejects(() => envelope.open(sealed, 'citizens/row-1/document_number'), 'another column');
      rejects(() => envelope.open(sealed, 'citizens/row-1/name '), 'any change of the AAD');
    });

    it('a field moved to another column, or encrypted under another record key, fails', () => {
      const one = envelope.newDataKey('citizens/1');
      const two = envelope.newDataKey('citizens/2');
      const name = envelope.encryptField(one.key, '赵六', 'citizens/1/name');
      rejects(() => envelope.decryptField(one.key, name, 'citizens/1/document_number'), 'another column');
      rejects(() => envelope.decryptField(one.key, name, 'citizens/2/name'), 'another row AAD');
      rejects(() => envelope.decryptField(two.key, name, 'citizens/1/name'), 'another row key');
    });

    it('a wrapped data key moved to another record fails to unwrap', () => {
      const { wrapped } = envelope.newDataKey('citizens/1');
      rejects(() => envelope.openDataKey(wrapped, 'citizens/2'));
      rejects(() => envelope.rewrap(wrapped, 'citizens/2'), 'rewrap checks the binding too');
    });

    it('a data key swapped between two sealed values fails', () => {
      const a = parts(envelope.seal('A', 'clients/a/client_secret'));
      const b = parts(envelope.seal('B', 'clients/b/client_secret'));
      rejects(() => envelope.open(join({ ...a, data: b.data }), 'clients/a/client_secret'));
      rejects(() => envelope.open(join({ ...a, data: b.data }), 'clients/b/client_secret'));
    });
  });

  describe('KEK rotation', () => {
    const before = createEnvelope(keyring(OLD));
    const during = createEnvelope(keyring(`${NEW},${OLD}`)); // new is active, old still unwraps
    const after = createEnvelope(keyring(NEW)); // old retired

    it('the first key of the keyring wraps new data; older keys still open old data', () => {
      assert.equal(during.activeKekId, 'new');
      const old = before.seal('old data', AAD);
      assert.equal(parts(old).kek, 'old');
      assert.equal(during.open(old, AAD), 'old data');
      const fresh = during.seal('new data', AAD);
      assert.equal(parts(fresh).kek, 'new');
      assert.equal(after.open(fresh, AAD), 'new data');
      rejects(() => before.open(fresh, AAD), 'the old keyring does not know the new KEK');
    });

    it('rewrap moves a data key under the active KEK without touching the data', () => {
      const sealed = before.seal('rotated', AAD);
      const old = parts(sealed);
      const rewrapped = during.rewrap(`${old.version}:${old.kek}:${old.wrapped}`, AAD);
      assert.equal(during.kekIdOf(rewrapped), 'new');
      const moved = `${rewrapped}.${old.data}`;
      assert.equal(during.open(moved, AAD), 'rotated');
      assert.equal(after.open(moved, AAD), 'rotated', 'readable once the old KEK is gone');
      rejects(() => after.open(sealed, AAD), 'not re-wrapped: unreadable without the old KEK');
      rejects(() => before.open(moved, AAD), 'the old KEK no longer opens the re-wrapped key');
    });

    it('field data stays readable after rewrapping its record key', () => {
      const { key, wrapped } = before.newDataKey('citizens/9');
      const field = before.encryptField(key, '孙七', 'citizens/9/name');
      const rewrapped = during.rewrap(wrapped, 'citizens/9');
      assert.equal(after.decryptField(after.openDataKey(rewrapped, 'citizens/9'), field, 'citizens/9/name'), '孙七');
      rejects(() => after.openDataKey(wrapped, 'citizens/9'));
    });

    it('a data key relabelled with another configured KEK id fails', () => {
      const p = parts(during.seal('x', AAD));
      rejects(() => during.open(join({ ...p, kek: 'old' }), AAD));
    });

    it('a KEK with the same id but different material cannot open the data', () => {
      const impostor = createEnvelope(keyring(`old:${material()}`));
      rejects(() => impostor.open(before.seal('x', AAD), AAD));
    });
  });

  describe('tamper detection', () => {
    const sealed = envelope.seal('tamper-evident', AAD);
    const p = parts(sealed);

    const cases: Array<[string, string]> = [
      ['a flipped IV byte', join({ ...p, data: flipByte(p.data, 0) })],
      ['a flipped ciphertext byte', join({ ...p, data: flipByte(p.data, 12) })],
      ['a flipped tag byte', join({ ...p, data: flipByte(p.data, -1) })],
      ['a flipped byte in the wrapped data key', join({ ...p, wrapped: flipByte(p.wrapped, 20) })],
      ['a flipped tag byte in the wrapped data key', join({ ...p, wrapped: flipByte(p.wrapped, -1) })],
      ['an unknown KEK id', join({ ...p, kek: 'other' })],
      ['another version', join({ ...p, version: 'v2' })],
      ['truncated data', join({ ...p, data: p.data.slice(0, 10) })],
      ['the data cut short by one byte', join({ ...p, data: Buffer.from(p.data, 'base64url').subarray(0, -1).toString('base64url') })],
      ['no separator', sealed.replace('.', '')],
      ['nothing at all', ''],
    ];
    for (const [label, tampered] of cases) {
      it(`rejects a sealed value with ${label}`, () => {
        assert.notEqual(tampered, sealed);
        rejects(() => envelope.open(tampered, AAD));
      });
    }

    it('rejects a field ciphertext with a flipped IV, ciphertext or tag byte', () => {
      const { key } = envelope.newDataKey('citizens/1');
      const field = envelope.encryptField(key, '周八', 'citizens/1/name');
      for (const index of [0, 12, -1]) rejects(() => envelope.decryptField(key, flipByte(field, index), 'citizens/1/name'));
    });
  });
});
