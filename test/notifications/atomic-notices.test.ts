// Every notified account event is one transaction (issue 8, services/account-events.ts): the
// change, its audit entry and its outbox row commit together or not at all. For each kind, a
// trigger in the test's own schema makes the outbox insert — and then the event's audit insert —
// fail inside the real service call; afterwards every row the citizen has is exactly as before
// (password, second factor, passkeys, codes, contacts, recovery requests, status, notices, the
// activity). Healed, the same call succeeds and writes exactly one outbox row for the event, with
// its own idempotency key. On PostgreSQL and on the embedded default (PGlite).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedSandbox, signInToAccount } from '../support/citizen-pages.js';
import { Browser, isPage } from '../support/browser.js';
import { adultIdentity, PASSWORD } from '../account/account-support.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { secretAad } from '../../src/services/two-factor.js';
import type { CitizenRow } from '../../src/queries/citizens.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

const NEW_PASSWORD = 'an entirely different passphrase';
// The tables an account event may write, by the column naming the citizen. The audit log is read
// through the audit service (its table's shape is the audit module's business).
const CITIZEN_TABLES: Record<string, string> = {
  citizens: 'id', passkeys: 'citizen_id', recovery_codes: 'citizen_id', citizen_contacts: 'citizen_id',
  recovery_requests: 'citizen_id', account_notices: 'citizen_id', known_devices: 'citizen_id', connections: 'citizen_id',
  notification_outbox: 'citizen_id',
};
const AUDIT_TABLE = 'audit_log';

type Subject = { row: CitizenRow; password: string; identity?: IdentityClaim; secret?: string };
type Case = {
  kind: string;
  event: string;
  /** Needs an identity the sandbox knows (recovery). */
  identity?: boolean;
  setup?: (app: TestApp, subject: Subject) => Promise<void>;
  /** The service call: attempts 0 and 1 fail, 2 succeeds (see stepOffset). */
  act: (app: TestApp, subject: Subject, attempt: number) => Promise<unknown>;
  /** What the successful call changed, to show the failed one did not. */
  changed: (after: CitizenRow, before: CitizenRow, app: TestApp) => Promise<void> | void;
  /** Other notices the same event writes. */
  alsoNotified?: string[];
};

// A TOTP code is single-use per 30-second step, and accepted one step either side of now
// (RFC 6238 §5.2): the three attempts use the previous, the current and the next step's code.
const stepOffset = (attempt: number) => (attempt - 1) * 30;
const codeAt = (secret: string, offsetSeconds: number) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSeconds * 1000 });
const withTotp = async (app: TestApp, subject: Subject) => {
  subject.secret = new Secret({ size: 20 }).base32;
  await app.container.citizenQueries.enableTotp(subject.row.id, app.container.envelope.seal(subject.secret, secretAad(subject.row.id)));
};
const factsOf = (subject: Subject) => ({
  cyberspaceId: subject.row.cyberspace_id, ...subject.identity!, newPassword: NEW_PASSWORD,
});
const reread = async (app: TestApp, subject: Subject) => (subject.row = (await app.container.citizenQueries.findCitizenById(subject.row.id))!);

const CASES: Case[] = [
  {
    kind: 'password_changed', event: 'account.password_changed',
    act: (app, s) => app.container.credentials.changePassword(s.row, { currentPassword: s.password, newPassword: NEW_PASSWORD }, 'a-session-token'),
    changed: async (after, before, app) => {
      assert.notEqual(after.password_hash, before.password_hash);
      assert.ok(await app.container.hasher.verify(after.password_hash, NEW_PASSWORD));
    },
  },
  {
    kind: 'second_factor_added', event: 'account.two_factor_enabled',
    act: async (app, s, attempt) => {
      const { secret } = await app.container.twoFactor.pendingEnrolment(s.row);
      return app.container.twoFactor.confirmEnrolment(s.row, codeAt(secret, stepOffset(attempt)));
    },
    changed: (after, before) => assert.ok(after.totp_enabled_at && !before.totp_enabled_at),
  },
  {
    kind: 'second_factor_removed', event: 'account.two_factor_disabled',
    setup: withTotp,
    act: (app, s, attempt) => app.container.twoFactor.disable(s.row, { password: s.password, code: codeAt(s.secret!, stepOffset(attempt)) }),
    changed: (after, before) => assert.ok(before.totp_enabled_at && !after.totp_enabled_at && !after.totp_secret_ciphertext),
  },
  {
    kind: 'passkey_added', event: 'account.passkey_added',
    act: async (app, s) => {
      const { passkeys } = app.container;
      const binding = randomUUID();
      const options = await passkeys.registrationOptions(s.row, binding);
      const result = await passkeys.register(s.row, binding, new SoftAuthenticator({ origin: passkeys.origin, rpID: passkeys.rpID }).register(options), 'Laptop');
      assert.equal(result.ok, true);
    },
    changed: async (after, _before, app) => assert.equal((await app.container.passkeys.list(after.id)).length, 1),
  },
  {
    kind: 'passkey_removed', event: 'account.passkey_removed',
    setup: async (app, s) => {
      await app.container.db.knex('passkeys').insert({
        credential_id: 'atomic-test-passkey', citizen_id: s.row.id, public_key: randomBytes(65), sign_count: 0,
        backup_eligible: false, backed_up: false, transports: [], device_type: 'singleDevice', name: 'Old key',
      });
    },
    act: async (app, s) => assert.equal(await app.container.passkeys.remove(s.row.id, 'atomic-test-passkey'), true),
    changed: async (after, _before, app) => assert.equal((await app.container.passkeys.list(after.id)).length, 0),
  },
  {
    kind: 'recovery_codes_created', event: 'account.recovery_codes_issued',
    act: (app, s) => app.container.recoveryCodes.regenerate(s.row, s.password),
    changed: async (after, _before, app) => assert.equal((await app.container.recoveryCodes.summary(after.id)).remaining, 10),
  },
  {
    kind: 'recovery_code_used', event: 'account.recovery_code_used',
    setup: async (app, s) => {
      s.secret = (await app.container.recoveryCodes.issueForNewFactor(s.row.id, false))![0];
    },
    act: async (app, s) => assert.equal(await app.container.recoveryCodes.use(s.row, s.secret, { device: 'Firefox/Linux' }), 'ok'),
    changed: async (after, _before, app) => {
      assert.equal((await app.container.recoveryCodes.summary(after.id)).remaining, 9);
      assert.deepEqual((await app.container.accountNotices.pending(after.id)).map((n) => n.kind), ['recovery_code_used'], 'and the dashboard says so');
    },
  },
  {
    kind: 'recovery_started', event: 'account.recovery_started', identity: true,
    setup: withTotp,
    act: async (app, s) => assert.equal((await app.container.recovery.recover(factsOf(s))).status, 'waiting'),
    changed: async (after, before, app) => {
      assert.ok(await app.container.recovery.waiting(after));
      assert.equal(after.password_hash, before.password_hash, 'the password waits');
    },
  },
  {
    kind: 'recovery_completed', event: 'account.recovered', identity: true,
    act: async (app, s) => assert.equal((await app.container.recovery.recover(factsOf(s))).status, 'recovered'),
    changed: async (after, before, app) => {
      assert.notEqual(after.password_hash, before.password_hash);
      assert.ok(await app.container.hasher.verify(after.password_hash, NEW_PASSWORD));
    },
  },
  {
    kind: 'recovery_cancelled', event: 'account.recovery_cancelled', identity: true,
    setup: async (app, s) => {
      await withTotp(app, s);
      await app.container.recovery.recover(factsOf(s));
    },
    act: async (app, s) => assert.equal(await app.container.recovery.cancel(s.row), true),
    changed: async (after, _before, app) => assert.equal(await app.container.recovery.waiting(after), undefined),
  },
  {
    kind: 'account_suspended', event: 'account.suspended',
    act: (app, s) => app.container.lifecycle.suspendBySelf(s.row),
    changed: (after) => assert.equal(after.status, 'suspended'),
  },
  {
    kind: 'account_resumed', event: 'account.resumed',
    setup: async (app, s) => app.container.lifecycle.suspendBySelf((await reread(app, s))),
    act: async (app, s) => app.container.lifecycle.resumeBySelf(await reread(app, s)),
    changed: (after) => assert.equal(after.status, 'active'),
  },
  {
    kind: 'contact_removed', event: 'account.contact_removed',
    setup: async (app, s) => {
      const { contactQueries, sealing } = app.container.notifications;
      await contactQueries.upsertContact({
        citizen_id: s.row.id, channel: 'email', address_sealed: sealing.seal(s.row.id, 'email', 'atomic@example.cn'),
        address_index: sealing.blindIndex('email', 'atomic@example.cn'), locale: 'en', code_hash: null, code_expires_at: null, confirmed_at: new Date(),
      });
    },
    act: (app, s) => app.container.contacts.remove(s.row, 'email', s.password),
    changed: async (after, _before, app) => assert.deepEqual(await app.container.notifications.contactQueries.listContactsOf(after.id), []),
  },
  {
    kind: 'account_cancelled', event: 'account.cancelled',
    setup: async (app, s) => {
      await app.container.db.knex('passkeys').insert({
        credential_id: 'atomic-test-cancelled', citizen_id: s.row.id, public_key: randomBytes(65), sign_count: 0,
        backup_eligible: false, backed_up: false, transports: [], device_type: 'singleDevice', name: 'Key',
      });
    },
    act: (app, s) => app.container.lifecycle.cancel(s.row, s.password),
    changed: async (after, _before, app) => {
      assert.equal(after.status, 'cancelled');
      assert.equal(after.data_key, null, 'crypto-shredded');
      assert.equal((await app.container.passkeys.list(after.id)).length, 0, 'and its records forgotten');
    },
  },
];

for (const store of ['PostgreSQL', 'embedded PGlite'] as const) {
  describe(`each notified account event is one transaction (${store})`, function () {
    this.timeout(60_000);
    let app: TestApp;

    before(async function () {
      app = await startTestApp(store === 'embedded PGlite' ? { env: { DATABASE_URL: '', REDIS_URL: '' } } : {});
      if (store === 'PostgreSQL' && !app.container.config.databaseUrl) this.skip();
      await app.container.db.knex.raw(`CREATE OR REPLACE FUNCTION test_fail_when() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF to_jsonb(NEW) ->> TG_ARGV[0] = TG_ARGV[1] THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    });
    after(async () => app?.stop());

    /** Makes inserts into `table` fail while `column` holds `value`, runs `work`, heals. */
    async function failing(table: string, column: string, value: string, work: () => Promise<void>) {
      const knex = app.container.db.knex;
      await knex.raw(`CREATE TRIGGER test_fail BEFORE INSERT ON ?? FOR EACH ROW EXECUTE FUNCTION test_fail_when(${knex.raw('?, ?', [column, value]).toQuery()})`, [table]);
      try {
        await work();
      } finally {
        await knex.raw('DROP TRIGGER IF EXISTS test_fail ON ??', [table]);
      }
    }

    /** Every row of the citizen, and their audit entries but the decryptions (which did happen). */
    async function snapshot(citizenId: string) {
      const knex = app.container.db.knex;
      const tables: Record<string, string[]> = {};
      for (const [table, column] of Object.entries(CITIZEN_TABLES)) {
        tables[table] = (await knex(table).where(column, citizenId)).map((row) => JSON.stringify(row)).sort();
      }
      const audit = (await app.container.audit.listForCitizen(citizenId, { limit: 1000 })).filter((e) => e.type !== 'identity.decrypted');
      return { tables, audit: audit.map((e) => `${e.chain}/${e.seq} ${e.type}`) };
    }

    async function subjectFor(test: Case): Promise<Subject> {
      if (!test.identity) {
        const made = await app.container.citizens.createTestCitizen({ birthDate: '1984-03-02' });
        return { row: made.citizen, password: made.password };
      }
      const identity = adultIdentity('原子找回');
      await seedSandbox(app.container, identity);
      const { cyberspaceId } = await app.container.applications.apply({ ...identity, password: PASSWORD });
      return { row: (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!, password: PASSWORD, identity };
    }

    for (const test of CASES) {
      it(`${test.kind}: nothing changes when its outbox row or audit entry cannot be written; then exactly one notice`, async () => {
        const subject = await subjectFor(test);
        await test.setup?.(app, subject);
        const before = await reread(app, subject);
        const unchanged = await snapshot(subject.row.id);

        const faults = [['notification_outbox', 'kind', test.kind], [AUDIT_TABLE, 'type', test.event]] as const;
        for (const [attempt, [table, column, value]] of faults.entries()) {
          await failing(table, column, value, async () => {
            await assert.rejects(test.act(app, subject, attempt), /injected failure/);
          });
          assert.deepEqual(await snapshot(subject.row.id), unchanged, `a failed ${table} insert leaves everything as it was`);
          await reread(app, subject);
        }

        await test.act(app, subject, 2);
        const after = await reread(app, subject);
        await test.changed(after, before, app);
        const entries = (await app.container.audit.listForCitizen(subject.row.id, { limit: 1000 })).map((e) => e.type);
        assert.equal(entries.filter((type) => type === test.event).length, 1, 'one audit entry for the event');
        const known = new Set(unchanged.tables.notification_outbox!.map((row) => String((JSON.parse(row) as { id: unknown }).id)));
        const written = (await app.container.notifications.outbox.listEntriesOf(subject.row.id)).filter((row) => !known.has(row.id));
        assert.deepEqual(written.map((row) => row.kind).sort(), [test.kind, ...(test.alsoNotified ?? [])].sort(), 'exactly one notice for the event');
        const keys = written.map((row) => row.idempotency_key);
        assert.ok(keys.every((key) => /^[0-9a-f-]{36}$/.test(key)) && new Set(keys).size === keys.length, 'each with its own idempotency key');
        assert.ok(written.every((row) => row.status === 'pending' && row.params.at), 'waiting for the worker, with the time of the event');
      });
    }

    it('a sign-in from a new device: the device record commits only with its notices', async () => {
      const knex = app.container.db.knex;
      const { citizen, cyberspace_id, password } = await app.container.citizens.createTestCitizen({ birthDate: '1985-01-01' });
      const count = async (table: string, where: Record<string, string>) => (await knex(table).where({ citizen_id: citizen.id, ...where })).length;
      await signInToAccount(new Browser(app.url), cyberspace_id, password); // the first device: nothing to tell
      const second = new Browser(app.url);
      await failing('notification_outbox', 'kind', 'new_device', async () => {
        const refused = await second.submit(await expectLogin(second), 'form[action="/account/login"]', { cyberspace_id, password });
        assert.ok(isPage(refused) && refused.status >= 500, 'the sign-in fails with its notice');
      });
      assert.equal(await count('known_devices', {}), 1, 'the new device was not recorded without its notice');
      assert.equal(await count('account_notices', { kind: 'new_device' }), 0);
      // Healed, the same browser is still a new device, and this time the citizen is told.
      await signInToAccount(second, cyberspace_id, password);
      assert.equal(await count('known_devices', {}), 2);
      assert.equal(await count('account_notices', { kind: 'new_device' }), 1);
      assert.equal(await count('notification_outbox', { kind: 'new_device' }), 1);
    });
  });
}

async function expectLogin(browser: Browser) {
  const login = await browser.navigate('/account/login');
  assert.ok(isPage(login));
  return login;
}
