// Enrolment attestations (docs/assurance.md): a registered attester's signed attestation,
// bound to one application by a single-use challenge and to one document, yields the level the
// attester is registered at; every bad attestation is refused with its own reason.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { runCommand } from '../../src/cli/registry.js';
import { documentDigest } from '../../src/proofing/attestation-format.js';
import { AttestationRefused, type AttestationRefusal } from '../../src/proofing/attestations.js';
import { createSandboxAttester, deriveSandboxAttesterKeys } from '../../src/proofing/sandbox-attester.js';
import { ForbiddenError, NotFoundError } from '../../src/errors.js';
import { personAged } from '../support/identities.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('enrolment attestations', () => {
  let app: TestApp;
  const person = personAged(30, '赵敏');
  const document = { documentType: person.documentType, documentNumber: person.documentNumber };
  let attesterKey: { privateKey: CryptoKey; kid: string };

  const cli = async (...argv: string[]) => runCommand(app.container, argv);
  const challenge = async () => (await app.container.attestations.issueChallenge()).challenge;
  const verify = (jws: string, forChallenge: string, doc = document) => app.container.attestations.verify(jws, { challenge: forChallenge, ...doc });
  const refusal = async (promise: Promise<unknown>): Promise<AttestationRefusal> => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AttestationRefused, `expected a refusal, got ${String(error)}`);
    return error.reason;
  };

  /** An attestation signed with the registered ES256 key; `claims` override the good ones. */
  async function attestation(forChallenge: string, options: { claims?: Record<string, unknown>; key?: CryptoKey; kid?: string; iat?: number; exp?: number; aud?: string } = {}) {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ challenge: forChallenge, document: documentDigest(forChallenge, document.documentType, document.documentNumber), ...options.claims })
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? attesterKey.kid })
      .setAudience(options.aud ?? app.url)
      .setIssuedAt(iat)
      .setExpirationTime(options.exp ?? iat + 300)
      .setJti(randomUUID())
      .sign(options.key ?? attesterKey.privateKey);
  }

  before(async () => {
    app = await startTestApp();
    await app.container.sandboxIdentities.add(person);
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const added = await cli('attester', 'add', '--name', 'Counter 12, Beijing', '--kind', 'staffed_counter', '--level', 'high', '--jwk', JSON.stringify(await exportJWK(publicKey)), '--json');
    assert.equal(added.exitCode ?? 0, 0, added.output);
    attesterKey = { privateKey, kid: JSON.parse(added.output).kid };
  });
  after(async () => app?.stop());

  it('a registered attester’s attestation yields the level of its registration', async () => {
    const c = await challenge();
    const evidence = await verify(await attestation(c, { claims: { level: 'low' } }), c);
    assert.equal(evidence.kind, 'attestation');
    assert.equal(evidence.level, 'high');
    assert.ok(evidence.kind === 'attestation' && evidence.method === 'staffed_counter');
    assert.doesNotMatch(JSON.stringify(evidence), new RegExp(person.documentNumber));
  });

  it('the sandbox attester signs at every attested level', async () => {
    for (const level of ['substantial', 'high'] as const) {
      const c = await challenge();
      const result = await cli('sandbox', 'attest', '--level', level, '--challenge', c, '--document-type', document.documentType, '--document-number', document.documentNumber);
      assert.equal(result.exitCode ?? 0, 0, result.output);
      assert.equal((await verify(result.output, c)).level, level);
    }
  });

  it('refuses a replayed attestation (the challenge and the attestation are single-use)', async () => {
    const c = await challenge();
    const jws = await attestation(c);
    await verify(jws, c);
    assert.equal(await refusal(verify(jws, c)), 'replayed');
    assert.equal(await refusal(verify(await attestation(c), c)), 'replayed');
  });

  it('refuses an expired attestation, and one that claims too long a life', async () => {
    const now = Math.floor(Date.now() / 1000);
    const c = await challenge();
    assert.equal(await refusal(verify(await attestation(c, { iat: now - 900, exp: now - 600 }), c)), 'expired');
    assert.equal(await refusal(verify(await attestation(c, { exp: now + 86_400 }), c)), 'expired');
  });

  it('refuses an unknown key, a revoked key and a bad signature', async () => {
    const c = await challenge();
    const stranger = await generateKeyPair('ES256');
    assert.equal(await refusal(verify(await attestation(c, { key: stranger.privateKey, kid: 'not-registered' }), c)), 'unknown_key');
    assert.equal(await refusal(verify(await attestation(c, { key: stranger.privateKey }), c)), 'bad_signature');

    const other = await generateKeyPair('ES256');
    const added = await cli('attester', 'add', '--name', 'Old app', '--kind', 'chip_liveness_app', '--level', 'substantial', '--jwk', JSON.stringify(await exportJWK(other.publicKey)), '--json');
    const kid = JSON.parse(added.output).kid as string;
    assert.equal((await verify(await attestation(c, { key: other.privateKey, kid }), c)).level, 'substantial');
    assert.equal((await cli('attester', 'revoke', kid)).exitCode ?? 0, 0);
    const c2 = await challenge();
    assert.equal(await refusal(verify(await attestation(c2, { key: other.privateKey, kid }), c2)), 'revoked_key');
    assert.match((await cli('attester', 'list')).output, new RegExp(`${kid}.*revoked`));
  });

  it('refuses an attestation for another challenge, another document or another audience', async () => {
    const mine = await challenge();
    const theirs = await challenge();
    assert.equal(await refusal(verify(await attestation(theirs), mine)), 'wrong_challenge');
    assert.equal(await refusal(verify(await attestation('NOTISSUEDBYUS000'), 'NOTISSUEDBYUS000')), 'wrong_challenge');
    const other = personAged(31, '钱多');
    assert.equal(await refusal(verify(await attestation(mine), mine, { documentType: other.documentType, documentNumber: other.documentNumber })), 'wrong_document');
    assert.equal(await refusal(verify(await attestation(mine, { aud: 'https://elsewhere.example' }), mine)), 'wrong_audience');
    assert.equal(await refusal(verify('not.a-jws', mine)), 'malformed');
    // None of these consumed the challenge: the right attestation still completes it.
    assert.equal((await verify(await attestation(mine), mine)).level, 'high');
  });

  it('rotating adds a key under the same attester; both verify until the old one is revoked', async () => {
    const next = await generateKeyPair('ES256');
    const rotated = await cli('attester', 'rotate', '--jwk', JSON.stringify(await exportJWK(next.publicKey)), '--json', '--', attesterKey.kid); // after --: a key id may start with '-'
    assert.equal(rotated.exitCode ?? 0, 0, rotated.output);
    const row = JSON.parse(rotated.output);
    const c = await challenge();
    const evidence = await verify(await attestation(c, { key: next.privateKey, kid: row.kid }), c);
    assert.equal(evidence.level, 'high');
    const c2 = await challenge();
    const old = await verify(await attestation(c2), c2);
    assert.ok(old.kind === 'attestation' && evidence.kind === 'attestation' && old.attesterId === evidence.attesterId);
  });

  it('refuses to register a private key or an unsupported key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const result = await cli('attester', 'add', '--name', 'Leaky', '--kind', 'staffed_counter', '--level', 'high', '--jwk', JSON.stringify(await exportJWK(privateKey)));
    assert.equal(result.exitCode, 1);
    assert.match(result.output, /private part/);
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const refused = await cli('attester', 'add', '--name', 'RSA', '--kind', 'staffed_counter', '--level', 'high', '--jwk', JSON.stringify(await exportJWK(rsa.publicKey)));
    assert.match(refused.output, /EC P-256/);
    const badLevel = await cli('attester', 'add', '--name', 'X', '--kind', 'staffed_counter', '--level', 'medium', '--jwk', '{}');
    assert.match(badLevel.output, /--level must be one of substantial, high/);
    assert.match((await cli('attester', 'list', '--json')).output, /Counter 12/);
    assert.doesNotMatch((await cli('attester', 'list', '--json')).output, /Leaky|RSA/);
  });

  it('the sandbox attester attests sandbox identities only, and does not exist in production', async () => {
    const stranger = personAged(40, '孙立');
    const result = await cli('sandbox', 'attest', '--level', 'high', '--challenge', await challenge(), '--document-type', stranger.documentType, '--document-number', stranger.documentNumber);
    assert.equal(result.exitCode, 1);
    assert.match(result.output, /sandbox identities only/);

    const production = createSandboxAttester({ keys: deriveSandboxAttesterKeys(randomBytes(32)), audience: app.url, production: true, isSandboxDocument: async () => true });
    assert.deepEqual(production.trustedKeys(), []);
    await assert.rejects(production.attest({ level: 'high', challenge: 'X', ...document }), ForbiddenError);
    const development = createSandboxAttester({ keys: deriveSandboxAttesterKeys(randomBytes(32)), audience: app.url, production: false, isSandboxDocument: async () => false });
    await assert.rejects(development.attest({ level: 'high', challenge: 'X', ...document }), NotFoundError);
  });
});
