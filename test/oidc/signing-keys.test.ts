// The online credential's signing keys (DESIGN.md "The online credential"): one per algorithm
// (RS256 by default, ES256, PS256, EdDSA per client); rotation publishes new keys, signs with them once active, and keeps the old
// public keys until every token they signed has expired; private halves are sealed at rest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { exchangeCode, signIn, type Credentials } from '../support/flow.js';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';
import { createSigningKeyService } from '../../src/services/signing-keys.js';
import { createSigningKeyQueries } from '../../src/queries/signing-keys.js';
import { createEnvelope, DecryptionError } from '../../src/crypto/envelope.js';

const PRIVATE_PARAMS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

async function fetchJwks(app: TestApp): Promise<JSONWebKeySet> {
  const meta = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const response = await fetch(meta.jwks_uri);
  assert.equal(response.status, 200);
  return (await response.json()) as JSONWebKeySet;
}

const kids = (jwks: JSONWebKeySet) => jwks.keys.map((k) => k.kid!);

describe('signing keys and ID token signatures', () => {
  let app: TestApp;
  let citizen: Credentials;
  const clients: Record<'ES256' | 'RS256', Awaited<ReturnType<typeof createClient>>> = {} as never;

  before(async () => {
    app = await startTestApp();
    citizen = await createCitizen(app.container);
    clients.ES256 = await createClient(app.container, { name: 'EC ISP', idTokenSigningAlg: 'ES256' });
    clients.RS256 = await createClient(app.container, { name: 'Default ISP' }); // no algorithm chosen
  });
  after(async () => app.stop());

  async function idToken(alg: 'ES256' | 'RS256'): Promise<string> {
    const client = clients[alg];
    const flow = await signIn(app.url, client, citizen);
    assert.ok(flow.code);
    const tokens = await exchangeCode(app.url, client, flow.code, flow.verifier);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return tokens.body.id_token!;
  }

  const verify = (token: string, jwks: JSONWebKeySet, alg: 'ES256' | 'RS256') =>
    jwtVerify(token, createLocalJWKSet(jwks), { issuer: app.url, audience: clients[alg].client_id, algorithms: [alg] });

  it('publishes one public key per algorithm only, each with kid, alg and use=sig', async () => {
    const jwks = await fetchJwks(app);
    const algs = jwks.keys.map((k) => k.alg).sort();
    assert.deepEqual(algs, ['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const key of jwks.keys) {
      assert.ok(key.kid, 'kid');
      assert.equal(key.use, 'sig');
      for (const param of PRIVATE_PARAMS) assert.equal((key as Record<string, unknown>)[param], undefined, `JWKS must not contain "${param}"`);
    }
    assert.equal(new Set(kids(jwks)).size, jwks.keys.length, 'kids are unique');
    assert.equal(jwks.keys.find((k) => k.alg === 'ES256')!.crv, 'P-256');
    assert.equal(jwks.keys.find((k) => k.alg === 'EdDSA')!.crv, 'Ed25519');
  });

  it('signs ID tokens with RS256 by default and with ES256 for a client that chose it, verifiable against JWKS', async () => {
    const jwks = await fetchJwks(app);
    for (const alg of ['ES256', 'RS256'] as const) {
      const token = await idToken(alg);
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, alg);
      assert.equal(header.kid, jwks.keys.find((k) => k.alg === alg)!.kid);
      await verify(token, jwks, alg);
    }
  });

  it('rotation: new kids appear in JWKS, new tokens use them, and tokens signed before still verify', async () => {
    const before = await fetchJwks(app);
    const oldTokens = { ES256: await idToken('ES256'), RS256: await idToken('RS256') };

    const rotated = await app.container.keys.rotateSigningKeys(0);
    assert.equal(rotated.kids.length, 4, 'one new key per algorithm');
    assert.equal(await app.container.providerHolder.refresh(), true, 'the key set changed');

    const after = await fetchJwks(app);
    for (const kid of rotated.kids) assert.ok(kids(after).includes(kid), `new kid ${kid} published`);
    for (const kid of kids(before)) assert.ok(kids(after).includes(kid), `old kid ${kid} still published`);

    for (const alg of ['ES256', 'RS256'] as const) {
      const newKid = after.keys.find((k) => rotated.kids.includes(k.kid!) && k.alg === alg)!.kid;
      const token = await idToken(alg);
      assert.equal(decodeProtectedHeader(token).kid, newKid, `new ${alg} tokens are signed with the new key`);
      await verify(token, after, alg);
      // Signed before the rotation, verified with the JWKS an ISP fetches after it.
      assert.notEqual(decodeProtectedHeader(oldTokens[alg]).kid, newKid);
      await verify(oldTokens[alg], after, alg);
    }
  });

  it('a key rotated in with an activation delay is published at once but signs only once active', async () => {
    const delaySeconds = 3;
    const signingBefore = decodeProtectedHeader(await idToken('ES256')).kid;
    const rotated = await app.container.keys.rotateSigningKeys(delaySeconds);
    await app.container.providerHolder.refresh();

    const published = await fetchJwks(app);
    for (const kid of rotated.kids) assert.ok(kids(published).includes(kid), `pending kid ${kid} is already in JWKS`);
    const states = await app.container.keys.describeKeys();
    for (const kid of rotated.kids) assert.equal(states.find((k) => k.kid === kid)?.state, 'pending');
    assert.equal(decodeProtectedHeader(await idToken('ES256')).kid, signingBefore, 'still signing with the current key');
    assert.ok(Date.now() < rotated.activatesAt.getTime(), 'the check above ran before activation');

    await new Promise((resolve) => setTimeout(resolve, rotated.activatesAt.getTime() - Date.now() + 200));
    assert.equal(await app.container.providerHolder.refresh(), true, 'activation changes the key set');
    const token = await idToken('ES256');
    const esKid = published.keys.find((k) => rotated.kids.includes(k.kid!) && k.alg === 'ES256')!.kid;
    assert.equal(decodeProtectedHeader(token).kid, esKid, 'signs with the new key once active');
    await verify(token, published, 'ES256');
  });

  it('stores private keys sealed: no private parameter in plaintext, and another KEK cannot open them', async () => {
    const { knex } = app.container.db;
    const rows = (await knex('signing_keys').select('*')) as Array<{ kid: string; public_jwk: JWK; private_jwk_ciphertext: string }>;
    assert.ok(rows.length >= 4);
    const result = (await knex.raw('SELECT row_to_json(s)::text AS row FROM signing_keys s')) as { rows: Array<{ row: string }> };
    const dump = result.rows.map((r) => r.row).join('\n');
    assert.match(dump, /"kid"/, 'the dump is the table as text');
    assert.doesNotMatch(dump, /"d"/, 'no "d" parameter anywhere in the table');
    const otherKek = createEnvelope({ activeId: app.container.envelope.activeKekId, keys: new Map([[app.container.envelope.activeKekId, randomBytes(32)]]) });
    const unknownKek = createEnvelope({ activeId: 'other', keys: new Map([['other', randomBytes(32)]]) });
    for (const row of rows) {
      for (const param of PRIVATE_PARAMS) assert.equal((row.public_jwk as Record<string, unknown>)[param], undefined);
      const aad = `signing_keys/${row.kid}/private_jwk`;
      const privateJwk = JSON.parse(app.container.envelope.open(row.private_jwk_ciphertext, aad)) as JWK;
      assert.ok(privateJwk.d, 'the sealed value is the private key');
      assert.equal(privateJwk.kid, row.kid);
      assert.ok(!dump.includes(privateJwk.d), 'the private scalar/exponent never appears in the table');
      if (privateJwk.p) assert.ok(!dump.includes(privateJwk.p));
      assert.throws(() => otherKek.open(row.private_jwk_ciphertext, aad), DecryptionError, 'same key id, different KEK');
      assert.throws(() => unknownKek.open(row.private_jwk_ciphertext, aad), DecryptionError, 'KEK not in the keyring');
      assert.throws(() => app.container.envelope.open(row.private_jwk_ciphertext, `signing_keys/${rows.find((r) => r.kid !== row.kid)!.kid}/private_jwk`), DecryptionError, 'bound to its row');
    }
  });
});

describe('signing key service: pruning after the grace period', () => {
  const GRACE = 3600;
  let db: TestDatabase;
  let clock: number;
  let service: ReturnType<typeof createSigningKeyService>;

  before(async () => {
    const { databaseUrl } = await realServices();
    db = databaseUrl ? await postgresDatabase(databaseUrl) : await pgliteDatabase();
    clock = Date.parse('2030-01-01T00:00:00Z');
    service = createSigningKeyService({
      queries: createSigningKeyQueries(db.knex),
      envelope: createEnvelope({ activeId: 'k1', keys: new Map([['k1', randomBytes(32)]]) }),
      retiredKeyGraceSeconds: GRACE,
      now: () => new Date(clock),
    });
  });
  after(async () => db.drop());

  const state = async () => Object.fromEntries((await service.describeKeys()).map((k) => [k.kid, k.state]));

  it('keeps a superseded key through the grace period, prunes it after, and never prunes the signing key', async () => {
    const original = await service.ensureSigningKeys();
    assert.equal(original.length, 4);
    assert.deepEqual(await service.ensureSigningKeys(), [], 'idempotent');

    clock += 10 * GRACE * 1000; // long-lived signing keys are never pruned
    assert.deepEqual(await service.pruneExpiredKeys(), []);

    const rotated = await service.rotateSigningKeys(600);
    const activation = rotated.activatesAt.getTime();
    assert.equal(activation, clock + 600_000);
    clock = activation + GRACE * 1000 - 1000; // 1 s before the grace period ends
    for (const kid of original) assert.equal((await state())[kid], 'verifying');
    assert.deepEqual(await service.pruneExpiredKeys(), [], 'inside the grace period: nothing pruned');

    clock = activation + GRACE * 1000 + 1000; // 1 s after it ends
    assert.deepEqual((await service.pruneExpiredKeys()).sort(), [...original].sort());
    const remaining = await state();
    assert.deepEqual(Object.keys(remaining).sort(), [...rotated.kids].sort());
    for (const kid of rotated.kids) assert.equal(remaining[kid], 'signing');
  });

  it('a pending key does not start the grace period of the key it will replace', async () => {
    const signing = (await service.describeKeys()).map((k) => k.kid);
    const far = await service.rotateSigningKeys(100 * GRACE);
    clock += 50 * GRACE * 1000;
    assert.deepEqual(await service.pruneExpiredKeys(), [], 'the current keys still sign');
    const states = await state();
    for (const kid of signing) assert.equal(states[kid], 'signing');
    for (const kid of far.kids) assert.equal(states[kid], 'pending');
    assert.equal((await service.loadKeySet())!.privateJwks[0]!.kid, signing.find((kid) => states[kid] === 'signing'), 'signing keys come first');
  });
});
