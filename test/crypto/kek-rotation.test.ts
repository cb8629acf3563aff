// Key-encryption key rotation (DESIGN.md "Privacy by construction"; docs/operations.md):
// `cyberid keys rotate-kek` re-wraps every stored data key (citizens' identity data keys,
// signing keys' private halves, client secrets) under the first key of KEY_ENCRYPTION_KEYS,
// while the service runs, so that the old key can be removed. Also: the other purposes' keys
// (blind index, pairwise, cookies/CSRF) are independent of each other and of the KEK.
import assert from 'node:assert/strict';
import { secretAad as totpSecretAad } from '../../src/services/two-factor.js';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { exchangeCode, signIn, type Credentials } from '../support/flow.js';
import { Browser, isPage } from '../support/browser.js';
import { runCommand } from '../../src/cli/registry.js';
import { contactRewrapSource } from '../../src/notifications/contact-sealing.js';
import { createContactQueries } from '../../src/queries/citizen-contacts.js';
import { createKekRotation, KEK_KINDS, type KekRotationReport, type KekStatus } from '../../src/services/kek-rotation.js';
import { createEnvelope, DecryptionError } from '../../src/crypto/envelope.js';
import { parseKeyring } from '../../src/config/keyring.js';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import type { Identity } from '../../src/services/identity-vault.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';
import type { Container } from '../../src/container.js';
import { bootstrapOperator } from '../support/operators.js';
import { operatorTotpRewrapSource } from '../../src/operators/totp.js';
import { createOperatorQueries } from '../../src/queries/operators.js';

const material = () => randomBytes(32).toString('base64url');
const KEY_A = material();
const KEY_B = material();
const KEY_C = material();

function residentId(region: string, birth: string, serial: string) {
  const first17 = `${region}${birth.replaceAll('-', '')}${serial}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** Every stored value that holds a wrapped data key, by table and row. */
async function wrappedValues(container: Container) {
  const knex = container.db.knex;
  const citizens = await knex('citizens').whereNotNull('data_key').select('id', 'data_key');
  const keys = await knex('signing_keys').select('kid', 'private_jwk_ciphertext');
  const clients = await knex('clients').whereNotNull('secret_ciphertext').select('client_id', 'secret_ciphertext');
  const totp = await knex('citizens').whereNotNull('totp_secret_ciphertext').select('id', 'totp_secret_ciphertext');
  const logKeys = await knex('authentication_log_keys').select('citizen_id', 'data_key');
  const operators = await knex('operators').whereNotNull('totp_secret_ciphertext').select('id', 'totp_secret_ciphertext');
  const contacts = await knex('citizen_contacts').select('citizen_id', 'channel', 'address_sealed');
  return {
    citizen_data_keys: Object.fromEntries(citizens.map((r) => [r.id as string, r.data_key as string])),
    signing_keys: Object.fromEntries(keys.map((r) => [r.kid as string, r.private_jwk_ciphertext as string])),
    client_secrets: Object.fromEntries(clients.map((r) => [r.client_id as string, r.secret_ciphertext as string])),
    totp_secrets: Object.fromEntries(totp.map((r) => [r.id as string, r.totp_secret_ciphertext as string])),
    authentication_log_keys: Object.fromEntries(logKeys.map((r) => [r.citizen_id as string, r.data_key as string])),
    operator_totp_secrets: Object.fromEntries(operators.map((r) => [r.id as string, r.totp_secret_ciphertext as string])),
    notice_addresses: Object.fromEntries(contacts.map((r) => [`${r.citizen_id as string}/${r.channel as string}`, r.address_sealed as string])),
  };
}
const kekOf = (value: string) => value.split(':')[1];
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The field ciphertexts and blind indexes: KEK rotation must not touch them. */
async function identityColumns(container: Container) {
  return container.db.knex('citizens').whereNotNull('data_key').orderBy('id')
    .select('id', 'name_ciphertext', 'document_type_ciphertext', 'document_number_ciphertext', 'birth_date_ciphertext', 'document_blind_index');
}

async function cli(container: Container, ...argv: string[]) {
  const result = await runCommand(container, argv);
  return { exitCode: result.exitCode ?? 0, body: JSON.parse(result.output) as unknown };
}

async function idTokenFor(app: TestApp, client: { client_id: string; client_secret?: string; redirect_uri: string }, citizen: Credentials) {
  const flow = await signIn(app.url, client, citizen);
  assert.ok(flow.code, `no code: ${flow.callback.href}`);
  const tokens = await exchangeCode(app.url, client, flow.code, flow.verifier);
  assert.equal(tokens.status, 200, `token endpoint: ${JSON.stringify(tokens.body)}`);
  return tokens.body.id_token!;
}

async function jwks(app: TestApp): Promise<JSONWebKeySet> {
  return (await (await fetch(`${app.url}/jwks`)).json()) as JSONWebKeySet;
}

describe('key-encryption key rotation (cyberid keys rotate-kek)', function () {
  this.timeout(120_000);
  let first: TestApp; // KEY_ENCRYPTION_KEYS=A: creates everything
  let during: TestApp; // B first, A kept: runs the rotation while serving
  const applicants: Array<IdentityClaim & { password: string; cyberspaceId?: string }> = [
    { documentType: 'resident_id', documentNumber: residentId('110105', '1971-03-09', '215'), name: '欧阳明远', birthDate: '1971-03-09', password: 'rotate the outer key please' },
    { documentType: 'passport', documentNumber: 'E98765432', name: 'Ingrid Halvorsen', birthDate: '1983-12-24', password: 'another sentence to remember' },
    { documentType: 'hk_macao_permit', documentNumber: 'H87654321', name: '梁嘉怡', birthDate: '1999-06-30', password: 'yet one more long phrase' },
  ];
  const testCitizens: Array<Credentials & { id: string; birthDate: string }> = [];
  let noIdentity: Credentials;
  let totpCitizen: string;
  let es256Client: Awaited<ReturnType<typeof createClient>>;
  let rs256Client: Awaited<ReturnType<typeof createClient>>;
  let subBefore: string;
  let kidsBefore: string[];
  let identityBefore: Awaited<ReturnType<typeof identityColumns>>;
  let cancelledMeanwhile: string;
  let changedMeanwhile: string;

  before(async () => {
    first = await startTestApp({ env: { KEY_ENCRYPTION_KEYS: `A:${KEY_A}` } });
    const c = first.container;
    for (const applicant of applicants) {
      await c.sandboxIdentities.add(applicant);
      applicant.cyberspaceId = (await c.applications.apply(applicant)).cyberspaceId;
    }
    for (const birthDate of ['1960-01-31', '1988-08-08', '2001-10-10', '1995-05-05', '1979-07-17']) {
      const created = await c.citizens.createTestCitizen({ birthDate });
      testCitizens.push({ cyberspace_id: created.cyberspace_id, password: created.password, id: created.citizen.id, birthDate });
    }
    noIdentity = await c.citizens.createTestCitizen(); // no data key at all: nothing to rotate
    // A second-factor secret, sealed with its own data key.
    totpCitizen = testCitizens[2]!.id;
    await c.citizenQueries.enableTotp(totpCitizen, c.envelope.seal(TOTP_SECRET, totpSecretAad(totpCitizen)));
    await bootstrapOperator(c); // an operator's authenticator secret, sealed the same way
    // A notice address, sealed with its own data key (AAD naming citizen and channel).
    const { contactQueries, sealing } = c.notifications;
    await contactQueries.upsertContact({
      citizen_id: totpCitizen, channel: 'email', address_sealed: sealing.seal(totpCitizen, 'email', 'rotate@example.cn'),
      address_index: sealing.blindIndex('email', 'rotate@example.cn'), locale: 'en', code_hash: null, code_expires_at: null, confirmed_at: new Date(),
    });
    es256Client = await createClient(c, { name: 'Rotation ISP', idTokenSigningAlg: 'ES256' });
    rs256Client = await createClient(c, { name: 'Rotation RSA ISP', redirectUris: ['https://rsa.isp.example/callback'] });
    await createClient(c, { name: 'Public ISP', public: true, redirectUris: ['https://public.isp.example/callback'] });
    await c.keys.rotateSigningKeys(0); // a second generation of signing keys
    subBefore = decodeJwt(await idTokenFor(first, es256Client, testCitizens[0]!)).sub!;
    kidsBefore = (await c.db.knex('signing_keys').pluck('kid')).sort();
    identityBefore = await identityColumns(c);
    cancelledMeanwhile = testCitizens[1]!.id;
    changedMeanwhile = (await c.citizenQueries.findCitizenByCyberspaceId(applicants[0]!.cyberspaceId!))!.id;
    // Every instance is rolled to "B first, A kept" before the rotation (docs/operations.md).
    await first.stop({ keepData: true });
    during = await startTestApp({ shareWith: first, env: { KEY_ENCRYPTION_KEYS: `B:${KEY_B},A:${KEY_A}` } });
  });
  after(async () => {
    await during?.stop();
  });

  it('kek-status counts every wrapped key under A before the rotation', async () => {
    const { exitCode, body } = await cli(during.container, 'keys', 'kek-status', '--json');
    const status = body as KekStatus;
    assert.equal(exitCode, 1, 'not done while values remain under an old key');
    assert.equal(status.active_kek_id, 'B');
    assert.deepEqual(status.configured_kek_ids, ['B', 'A']);
    assert.deepEqual(status.kinds.citizen_data_keys, { A: 8 }, '3 applicants and 5 test citizens with a birth date');
    assert.deepEqual(status.kinds.signing_keys, { A: 8 }, 'RS256, ES256, PS256 and EdDSA, two generations');
    assert.deepEqual(status.kinds.client_secrets, { A: 2 }, 'the public client has no secret');
    assert.deepEqual(status.kinds.totp_secrets, { A: 1 });
    assert.deepEqual(status.kinds.authentication_log_keys, { A: 1 }, 'the one citizen who signed in has an authentication log key');
    assert.deepEqual(status.kinds.operator_totp_secrets, { A: 1 });
    assert.deepEqual(status.kinds.notice_addresses, { A: 1 });
    assert.equal(status.remaining, 22);
    assert.deepEqual(status.missing_kek_ids, []);
  });

  it('re-wraps every data key, signing key, client secret and second-factor secret under B, in batches, while rows change underneath', async () => {
    const c = during.container;
    const onlyA = createEnvelope(parseKeyring('KEY_ENCRYPTION_KEYS', `A:${KEY_A}`, [])!);
    const touched = new Set<string>();
    // The rotation's compare-and-set meets two concurrent changes: a citizen cancels (the data
    // key is shredded) and another citizen's data key is rewritten (still under A) just before
    // the rotation writes.
    const citizenQueries = {
      ...c.citizenQueries,
      async replaceDataKey(id: string, previous: string, next: string) {
        if (!touched.has(id) && id === cancelledMeanwhile) await c.citizenQueries.shredCitizen(id);
        if (!touched.has(id) && id === changedMeanwhile) {
          assert.ok(await c.citizenQueries.replaceDataKey(id, previous, onlyA.rewrap(previous, `citizens/${id}`)));
        }
        touched.add(id);
        return c.citizenQueries.replaceDataKey(id, previous, next);
      },
    };
    const rotation = createKekRotation({
      citizenQueries, vault: c.vault, keys: c.keys, clients: c.clients, authenticationLog: c.authenticationLog, envelope: c.envelope, configuredKekIds: ['B', 'A'], audit: c.audit,
      operatorTotpSecrets: operatorTotpRewrapSource(createOperatorQueries(c.db.knex), c.envelope),
      noticeAddresses: contactRewrapSource(c.notifications.contactQueries, c.envelope),
    });
    const report = await rotation.rotate({ batchSize: 3 });

    assert.equal(report.kek_id, 'B');
    assert.deepEqual(report.kinds.citizen_data_keys, { rewrapped: 7, already_current: 0, gone: 1, retried: 1, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.signing_keys, { rewrapped: 8, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.client_secrets, { rewrapped: 2, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.totp_secrets, { rewrapped: 1, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.authentication_log_keys, { rewrapped: 1, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.operator_totp_secrets, { rewrapped: 1, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.deepEqual(report.kinds.notice_addresses, { rewrapped: 1, already_current: 0, gone: 0, retried: 0, conflicts: 0, unreadable: 0, remaining: 0 });
    assert.equal(report.rewrapped, 21);
    // The notice address still opens, under B.
    const [contact] = await c.notifications.contactQueries.listContactsOf(totpCitizen);
    assert.equal(c.notifications.sealing.open(totpCitizen, 'email', contact!.address_sealed), 'rotate@example.cn');
    assert.equal(report.remaining, 0);
    assert.equal(report.complete, true);

    const stored = await wrappedValues(c);
    for (const kind of KEK_KINDS) {
      for (const [id, value] of Object.entries(stored[kind])) assert.equal(kekOf(value), 'B', `${kind} ${id} names B`);
    }
    assert.equal(Object.keys(stored.citizen_data_keys).length, 7, 'the cancelled citizen kept no data key');
    // The authentication log's network data reads under B; its ciphertexts were not touched.
    const [logKeyOwner, logKey] = Object.entries(stored.authentication_log_keys)[0]!;
    assert.throws(() => onlyA.openDataKey(logKey, `authentication_log_keys/${logKeyOwner}`), DecryptionError);
    assert.ok((await c.authenticationLog.reveal(logKeyOwner)).some((entry) => entry.address && entry.user_agent), 'the log still opens');
    assert.equal((await c.citizenQueries.findCitizenById(cancelledMeanwhile))!.status, 'cancelled', 'the concurrent cancellation was not undone');
    // The data itself was not touched: same field ciphertexts, same blind indexes.
    assert.deepEqual(await identityColumns(c), identityBefore.filter((row) => row.id !== cancelledMeanwhile));

    const [entry] = (await c.audit.latest({ limit: 20 })).filter((e) => e.type === 'kek.rotated');
    assert.ok(entry, 'the rotation is in the audit log');
    assert.equal(entry.actor, 'operator');
    assert.deepEqual(entry.details, { kek_id: 'B', count: 21, status: 'complete' });
  });

  it('running it again changes nothing (idempotent), and kek-status then reports done', async () => {
    const c = during.container;
    const before = await wrappedValues(c);
    const { exitCode, body } = await cli(c, 'keys', 'rotate-kek', '--json', '--batch-size', '2');
    const report = body as KekRotationReport;
    assert.equal(exitCode, 0);
    assert.equal(report.rewrapped, 0);
    assert.equal(report.complete, true);
    assert.equal(report.kinds.citizen_data_keys.already_current, 7);
    assert.equal(report.kinds.signing_keys.already_current, 8);
    assert.equal(report.kinds.client_secrets.already_current, 2);
    assert.equal(report.kinds.totp_secrets.already_current, 1);
    assert.equal(report.kinds.authentication_log_keys.already_current, 1);
    assert.equal(report.kinds.operator_totp_secrets.already_current, 1);
    assert.equal(report.kinds.notice_addresses.already_current, 1);
    assert.deepEqual(await wrappedValues(c), before, 'not one stored value changed');
    const status = await cli(c, 'keys', 'kek-status', '--json');
    assert.equal(status.exitCode, 0);
    assert.deepEqual((status.body as KekStatus).kinds, { citizen_data_keys: { B: 7 }, signing_keys: { B: 8 }, client_secrets: { B: 2 }, totp_secrets: { B: 1 }, authentication_log_keys: { B: 1 }, operator_totp_secrets: { B: 1 }, notice_addresses: { B: 1 } });
    const usage = await runCommand(c, ['keys', 'rotate-kek', '--batch-size', '0']);
    assert.equal(usage.exitCode, 2, 'a bad batch size is a usage error');
  });

  it('an instance configured with ONLY B decrypts identities, authenticates clients and signs tokens', async () => {
    const after = await startTestApp({ shareWith: during, env: { KEY_ENCRYPTION_KEYS: `B:${KEY_B}` } });
    try {
      const c = after.container;
      for (const applicant of applicants) {
        const row = (await c.citizenQueries.findCitizenByCyberspaceId(applicant.cyberspaceId!))!;
        const identity: Identity = await c.vault.open(row.id, row, ['name', 'documentType', 'documentNumber', 'birthDate'], 'test');
        assert.deepEqual(identity, { name: applicant.name, documentType: applicant.documentType, documentNumber: applicant.documentNumber, birthDate: applicant.birthDate });
        assert.equal(row.document_blind_index, c.vault.blindIndex(applicant.documentType, applicant.documentNumber), 'duplicate detection still finds it');
      }
      for (const citizen of testCitizens.filter((t) => t.id !== cancelledMeanwhile)) {
        const row = (await c.citizenQueries.findCitizenById(citizen.id))!;
        assert.deepEqual(await c.vault.open(row.id, row, ['birthDate'], 'test'), { birthDate: citizen.birthDate });
      }
      const totpRow = (await c.citizenQueries.findCitizenById(totpCitizen))!;
      assert.equal(c.envelope.open(totpRow.totp_secret_ciphertext!, totpSecretAad(totpCitizen)), TOTP_SECRET, 'the second-factor secret opens under B');
      // The client secret opens (client_secret_basic at the token endpoint) and both signing
      // keys sign; the ISP sees the same pairwise ID as before the rotation.
      const es = await idTokenFor(after, es256Client, testCitizens[0]!);
      const rs = await idTokenFor(after, rs256Client, testCitizens[0]!);
      const set = createLocalJWKSet(await jwks(after));
      const verified = await jwtVerify(es, set, { issuer: after.url, audience: es256Client.client_id, algorithms: ['ES256'] });
      await jwtVerify(rs, set, { issuer: after.url, audience: rs256Client.client_id, algorithms: ['RS256'] });
      assert.equal(verified.payload.sub, subBefore, 'KEK rotation does not change pairwise IDs');
      assert.ok(kidsBefore.includes(decodeProtectedHeader(es).kid!), 'signed with a key created under A');
      assert.deepEqual((await jwks(after)).keys.map((k) => k.kid!).sort(), kidsBefore);
      const applicant = applicants[1]!;
      assert.ok(await idTokenFor(after, es256Client, { cyberspace_id: applicant.cyberspaceId!, password: applicant.password }));
      assert.ok(await idTokenFor(after, es256Client, noIdentity));

      // And A alone no longer opens anything.
      const onlyA = createEnvelope(parseKeyring('KEY_ENCRYPTION_KEYS', `A:${KEY_A}`, [])!);
      const stored = await wrappedValues(c);
      for (const [id, dataKey] of Object.entries(stored.citizen_data_keys)) {
        assert.throws(() => onlyA.openDataKey(dataKey, `citizens/${id}`), DecryptionError);
      }
      for (const [kid, sealed] of Object.entries(stored.signing_keys)) {
        assert.throws(() => onlyA.open(sealed, `signing_keys/${kid}/private_jwk`), DecryptionError);
      }
    } finally {
      await after.stop({ keepData: true });
    }
  });

  it('two instances rotating at once (to C) re-wrap each value exactly once', async () => {
    await during.stop({ keepData: true });
    during = await startTestApp({ shareWith: first, env: { KEY_ENCRYPTION_KEYS: `C:${KEY_C},B:${KEY_B}` } });
    const other = await startTestApp({ shareWith: first, env: { KEY_ENCRYPTION_KEYS: `C:${KEY_C},B:${KEY_B}` } });
    try {
      // The sign-ins of the tests before gave more citizens an authentication log key.
      const logKeys = Object.keys((await wrappedValues(during.container)).authentication_log_keys).length;
      const reports = await Promise.all([during, other].map((app) => app.container.kekRotation.rotate({ batchSize: 2 })));
      for (const kind of KEK_KINDS) {
        const [a, b] = reports.map((r) => r.kinds[kind]);
        const total = { citizen_data_keys: 7, signing_keys: 8, client_secrets: 2, totp_secrets: 1, authentication_log_keys: logKeys, operator_totp_secrets: 1, notice_addresses: 1 }[kind];
        assert.equal(a!.rewrapped + b!.rewrapped, total, `${kind}: each value re-wrapped once in total`);
        assert.equal(a!.conflicts + b!.conflicts + a!.unreadable + b!.unreadable, 0);
        assert.equal(a!.remaining + b!.remaining, 0);
      }
      const stored = await wrappedValues(during.container);
      for (const kind of KEK_KINDS) for (const value of Object.values(stored[kind])) assert.equal(kekOf(value), 'C');
      const row = (await during.container.citizenQueries.findCitizenByCyberspaceId(applicants[2]!.cyberspaceId!))!;
      assert.equal((await during.container.vault.open(row.id, row, ['name'], 'test')).name, applicants[2]!.name);
    } finally {
      await other.stop({ keepData: true });
    }
  });

  it('reports values under a KEK that is no longer configured instead of failing', async () => {
    // An operator removed C too early: those values are unreadable, reported, left untouched.
    const early = await createKekRotationWithOnly(during.container, `B:${KEY_B}`);
    const report = await early.rotate();
    assert.equal(report.complete, false);
    assert.equal(report.kinds.citizen_data_keys.unreadable, 7);
    assert.equal(report.kinds.citizen_data_keys.remaining, 7);
    const status = await early.status();
    assert.deepEqual(status.missing_kek_ids, ['C']);
    const stored = await wrappedValues(during.container);
    for (const value of Object.values(stored.citizen_data_keys)) assert.equal(kekOf(value), 'C', 'nothing was overwritten');
  });
});

/** A rotation wired like the container's, but with another KEY_ENCRYPTION_KEYS. */
async function createKekRotationWithOnly(container: Container, keys: string) {
  const { createIdentityVault } = await import('../../src/services/identity-vault.js');
  const { createSigningKeyService } = await import('../../src/services/signing-keys.js');
  const { createSigningKeyQueries } = await import('../../src/queries/signing-keys.js');
  const { createClientService } = await import('../../src/services/clients.js');
  const { createClientQueries } = await import('../../src/queries/clients.js');
  const { createAuthenticationLog } = await import('../../src/services/authentication-log.js');
  const { createAuthenticationLogQueries } = await import('../../src/queries/authentication-log.js');
  const keyring = parseKeyring('KEY_ENCRYPTION_KEYS', keys, [])!;
  const envelope = createEnvelope(keyring);
  const knex = container.db.knex;
  return createKekRotation({
    citizenQueries: container.citizenQueries,
    vault: createIdentityVault({ envelope, blindIndexSecret: container.config.secrets.blindIndexSecret }),
    keys: createSigningKeyService({ queries: createSigningKeyQueries(knex), envelope, retiredKeyGraceSeconds: 60 }),
    clients: createClientService({ queries: createClientQueries(knex), envelope, validateMetadata: async () => {} }),
    authenticationLog: createAuthenticationLog({ queries: createAuthenticationLogQueries(knex), envelope, retentionDays: 183 }),
    operatorTotpSecrets: operatorTotpRewrapSource(createOperatorQueries(knex), envelope),
    noticeAddresses: contactRewrapSource(createContactQueries(knex), envelope),
    envelope,
    configuredKekIds: [...keyring.keys.keys()],
    audit: container.audit,
  });
}

describe('one key per purpose', function () {
  this.timeout(120_000);
  const secret = () => randomBytes(32).toString('base64url');

  it('configuration refuses the same secret for two purposes', () => {
    const base = { NODE_ENV: 'test', DATA_DIR: '/nonexistent-unused', COOKIE_SECRETS: secret(), PAIRWISE_SECRET: secret(), BLIND_INDEX_SECRET: secret(), KEY_ENCRYPTION_KEYS: `k1:${secret()}` };
    const reused = base.PAIRWISE_SECRET;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ BLIND_INDEX_SECRET: reused }, /PAIRWISE_SECRET and BLIND_INDEX_SECRET must differ/],
      [{ KEY_ENCRYPTION_KEYS: `k1:${reused}` }, /PAIRWISE_SECRET and KEY_ENCRYPTION_KEYS \(key "k1"\) must differ/],
      [{ KEY_ENCRYPTION_KEYS: `k2:${secret()},k1:${base.BLIND_INDEX_SECRET}` }, /BLIND_INDEX_SECRET and KEY_ENCRYPTION_KEYS \(key "k1"\) must differ/],
      [{ COOKIE_SECRETS: reused }, /PAIRWISE_SECRET and COOKIE_SECRETS must differ/],
      [{ COOKIE_SECRETS: `${secret()},${base.BLIND_INDEX_SECRET}` }, /BLIND_INDEX_SECRET and COOKIE_SECRETS must differ/],
      // A "new" KEK that is the old one under another id would rotate nothing.
      [{ KEY_ENCRYPTION_KEYS: `new:${base.KEY_ENCRYPTION_KEYS.slice(3)},old:${base.KEY_ENCRYPTION_KEYS.slice(3)}` }, /key "new"\) and KEY_ENCRYPTION_KEYS \(key "old"\) must differ/],
    ];
    for (const [change, message] of cases) {
      try {
        loadConfig({ ...base, ...change });
        assert.fail(`accepted ${JSON.stringify(Object.keys(change))}`);
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.problems.length, 1, error.problems.join('\n'));
        assert.match(error.problems[0]!, message);
      }
    }
    assert.ok(loadConfig(base), 'distinct secrets are accepted');
  });

  describe('changing one purpose\'s key leaves the others\' results alone', () => {
    const secrets = { COOKIE_SECRETS: secret(), PAIRWISE_SECRET: secret(), BLIND_INDEX_SECRET: secret(), KEY_ENCRYPTION_KEYS: `k1:${secret()}` };
    const apps: TestApp[] = [];
    let citizen: Credentials;
    let client: Awaited<ReturnType<typeof createClient>>;
    const document = { type: 'passport' as const, number: 'G12398745' };

    const start = async (change: Partial<typeof secrets>) => {
      const app = await startTestApp({ shareWith: apps[0], env: { ...secrets, ...change } });
      apps.push(app);
      return app;
    };
    /** What the key of each purpose produces for the same inputs. */
    async function outputs(app: TestApp) {
      const sub = decodeJwt(await idTokenFor(app, client, citizen)).sub;
      const blindIndex = app.container.vault.blindIndex(document.type, document.number);
      // The CSRF token for a fixed CSRF cookie (HMAC under a key derived from COOKIE_SECRETS).
      const browser = new Browser(app.url);
      browser.cookies.set('cid_csrf', 'a'.repeat(43));
      const page = await browser.navigate('/apply');
      assert.ok(isPage(page));
      const csrf = page.document.querySelector('input[name=_csrf]')!.getAttribute('value');
      return { sub, blindIndex, csrf };
    }

    before(async () => {
      const base = await start({});
      citizen = await base.container.citizens.createTestCitizen();
      client = await createClient(base.container, { name: 'Purpose ISP' });
    });
    after(async () => {
      for (const app of apps.slice(1).reverse()) await app.stop({ keepData: true });
      await apps[0]?.stop();
    });

    it('BLIND_INDEX_SECRET changes the blind index only; PAIRWISE_SECRET the pairwise ID only; COOKIE_SECRETS the CSRF token only; the KEK none of them', async () => {
      const base = await outputs(apps[0]!);
      const blind = await outputs(await start({ BLIND_INDEX_SECRET: secret() }));
      const pairwise = await outputs(await start({ PAIRWISE_SECRET: secret() }));
      const cookies = await outputs(await start({ COOKIE_SECRETS: secret() }));
      const kek = await outputs(await start({ KEY_ENCRYPTION_KEYS: `k2:${secret()},${secrets.KEY_ENCRYPTION_KEYS}` }));

      assert.notEqual(blind.blindIndex, base.blindIndex);
      assert.deepEqual({ ...blind, blindIndex: base.blindIndex }, base, 'a new blind index key leaves pairwise IDs and CSRF tokens alone');
      assert.notEqual(pairwise.sub, base.sub);
      assert.deepEqual({ ...pairwise, sub: base.sub }, base, 'a new pairwise secret leaves the blind index and CSRF tokens alone');
      assert.notEqual(cookies.csrf, base.csrf);
      assert.deepEqual({ ...cookies, csrf: base.csrf }, base, 'new cookie keys leave pairwise IDs and the blind index alone');
      assert.deepEqual(kek, base, 'a new key-encryption key changes none of them');
    });
  });
});
