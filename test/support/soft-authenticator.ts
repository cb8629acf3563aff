// A software WebAuthn authenticator for HTTP-level tests: a P-256 key, "none" attestation, and
// assertions signed as WebAuthn §6.3.3 says, with knobs to break one thing at a time (origin,
// RP ID, counter, user verification). The browser test uses Chromium's virtual authenticator.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export type SoftOptions = { origin: string; rpID: string; backupEligible?: boolean };

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  userHandle = '';

  constructor(readonly options: SoftOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get id() {
    return b64url(this.credentialId);
  }

  private flags(extra: number, uv: boolean) {
    const be = this.options.backupEligible ? 0x08 | 0x10 : 0;
    return 0x01 | (uv ? 0x04 : 0) | be | extra;
  }

  private authData(rpID: string, flags: number, counter: number, attested?: Uint8Array) {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpID), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** A registration response (JSON, as the browser script posts it) to `options.challenge`. */
  register(options: { challenge: string; user: { id: string } }, override: Partial<SoftOptions> = {}): string {
    this.userHandle = options.user.id;
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, isoCBOR.encode(cose)]);
    const authData = this.authData(override.rpID ?? this.options.rpID, this.flags(0x40, true), this.counter, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, override.origin ?? this.options.origin)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }

  /** An assertion for `challenge`; the counter grows by one unless `counter` says otherwise. */
  assert(challenge: string, override: Partial<SoftOptions> & { counter?: number; userVerified?: boolean } = {}): string {
    this.counter = override.counter ?? this.counter + 1;
    const authData = this.authData(override.rpID ?? this.options.rpID, this.flags(0, override.userVerified ?? true), this.counter);
    const clientDataJSON = this.clientData('webauthn.get', challenge, override.origin ?? this.options.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: this.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }
}
