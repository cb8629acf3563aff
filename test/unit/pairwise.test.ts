// Pairwise cyberspace IDs (DESIGN.md "Identifiers"): sub = encode(HMAC-SHA256(pairwise secret,
// sector ‖ 0x00 ‖ citizen cyberspace ID)), encoded like any cyberspace ID
// (docs/cyberspace-id-format.md §3–4: first 115 bits, Crockford base32, GF(32) check symbol).
// The vectors below are fixed: changing the derivation would change every ISP's view of every
// citizen, so it must fail here first. Each vector is also recomputed by an independent
// implementation in this file (node:crypto HMAC + BigInt bit split + the documented check step).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { pairwiseCyberspaceId, createPairwiseIdentifier } from '../../src/oidc/pairwise.js';
import { generateCyberspaceId, isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** docs/cyberspace-id-format.md §4.3, transcribed. */
function mulAlpha(s: number): number {
  s <<= 1;
  return s & 32 ? s ^ 37 : s;
}

/** docs/cyberspace-id-format.md §3: first 15 bytes, MSB first, keep 115 bits, 23 groups of 5. */
function encodeDocumented(bytes: Buffer): string {
  const n = BigInt(`0x${bytes.subarray(0, 15).toString('hex')}`) >> 5n;
  let payload = '';
  for (let i = 22; i >= 0; i--) payload += ALPHABET[Number((n >> BigInt(5 * i)) & 31n)];
  let s = 0;
  for (const ch of payload) s = mulAlpha(s) ^ ALPHABET.indexOf(ch);
  return payload + ALPHABET[mulAlpha(s) ^ 1];
}

function independentPairwise(secret: Buffer, sector: string, citizenId: string): string {
  const message = Buffer.concat([Buffer.from(sector, 'utf8'), Buffer.of(0), Buffer.from(citizenId, 'utf8')]);
  return encodeDocumented(createHmac('sha256', secret).update(message).digest());
}

const SECRET_A = Buffer.alloc(32, 0x0b);
const SECRET_B = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const CITIZEN_1 = '0123456789ABCDEFGHJKMNP3';
const CITIZEN_2 = 'CDWP4SBJEDR62RV55NMP8B9B';

// Computed once and cross-checked with a separate Python implementation (hmac + int bit split).
const VECTORS: Array<{ secret: Buffer; sector: string; citizen: string; sub: string }> = [
  { secret: SECRET_A, sector: 'isp.example', citizen: CITIZEN_1, sub: '51C1GW1XE511S85MDH68NCF8' },
  { secret: SECRET_A, sector: 'other.example', citizen: CITIZEN_1, sub: '7W9KN82GX3SR44CVJDBEWGJK' },
  { secret: SECRET_B, sector: 'isp.example', citizen: CITIZEN_1, sub: 'SXSP2KVXW0SD509YX4QH6CBD' },
  { secret: SECRET_B, sector: 'sector.example.cn', citizen: CITIZEN_2, sub: 'VAH4GVFK6B02G76A70RP3Q8P' },
];

describe('pairwise cyberspace ID derivation', () => {
  describe('known-answer vectors', () => {
    for (const { secret, sector, citizen, sub } of VECTORS) {
      it(`${secret.toString('hex').slice(0, 8)}… / ${sector} / ${citizen} → ${sub}`, () => {
        assert.equal(pairwiseCyberspaceId(secret, sector, citizen), sub);
        assert.equal(independentPairwise(secret, sector, citizen), sub, 'independent computation agrees');
        assert.ok(isValidCyberspaceId(sub));
      });
    }
  });

  it('agrees with the independent computation on random inputs, and every output is a valid cyberspace ID', () => {
    for (let i = 0; i < 300; i++) {
      const secret = randomBytes(32);
      const sector = `rp${i}.example.cn${i % 3 === 0 ? ':8443' : ''}`;
      const citizen = generateCyberspaceId();
      const sub = pairwiseCyberspaceId(secret, sector, citizen);
      assert.equal(sub, independentPairwise(secret, sector, citizen));
      assert.ok(isValidCyberspaceId(sub), sub);
      assert.match(sub, /^[0-9A-Z]{24}$/);
      assert.notEqual(sub, citizen);
    }
  });

  it('depends on the secret, the sector and the citizen', () => {
    const base = pairwiseCyberspaceId(SECRET_A, 'isp.example', CITIZEN_1);
    assert.notEqual(pairwiseCyberspaceId(SECRET_B, 'isp.example', CITIZEN_1), base);
    assert.notEqual(pairwiseCyberspaceId(SECRET_A, 'isp.example.cn', CITIZEN_1), base);
    assert.notEqual(pairwiseCyberspaceId(SECRET_A, 'isp.example', CITIZEN_2), base);
    assert.equal(pairwiseCyberspaceId(Buffer.from(SECRET_A), 'isp.example', CITIZEN_1), base, 'deterministic');
  });

  it('separates sector and citizen unambiguously (no concatenation collisions)', () => {
    // Without a separator, ("a.example" ‖ "1X…") and ("a.example1" ‖ "X…") would hash the same bytes.
    const citizen = CITIZEN_1;
    const shifted = pairwiseCyberspaceId(SECRET_A, `isp.example${citizen[0]}`, citizen.slice(1));
    assert.notEqual(shifted, pairwiseCyberspaceId(SECRET_A, 'isp.example', citizen));
  });

  it('the oidc-provider hook derives the sector from the client\'s metadata, port-less, and refuses a client without one', async () => {
    const hook = createPairwiseIdentifier(SECRET_A);
    const client = (metadata: Record<string, unknown>) => ({ metadata: () => metadata });
    assert.equal(await hook({}, CITIZEN_1, client({ redirect_uris: ['https://isp.example/cb'] })), VECTORS[0]!.sub);
    assert.equal(await hook({}, CITIZEN_1, client({ redirect_uris: ['https://isp.example:8443/cb'] })), VECTORS[0]!.sub, 'OIDC Core §8.1: the host, not the port');
    assert.equal(await hook({}, CITIZEN_1, client({ redirect_uris: ['https://www.other.example/cb'], sector_identifier_uri: 'https://isp.example:9443/sector.json' })), VECTORS[0]!.sub);
    assert.equal(await hook({}, CITIZEN_1, client({ redirect_uris: ['https://isp.example/cb'], cyberid_pairwise_sector: 'isp.example:8443' })), pairwiseCyberspaceId(SECRET_A, 'isp.example:8443', CITIZEN_1), 'a pinned sector wins');
    await assert.rejects(hook({}, CITIZEN_1, client({})), /sector/);
  });
});
