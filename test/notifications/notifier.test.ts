// notify(trx, …): the notice commits or rolls back with its event, a repeated idempotency key
// writes one row, and parameters that could carry identity data are refused — on the embedded
// PGlite store and on PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';
import { realServices } from '../support/real-services.js';
import { createOutboxQueries } from '../../src/queries/notification-outbox.js';
import { createNotifier } from '../../src/notifications/notifier.js';

for (const store of ['embedded PGlite', 'PostgreSQL'] as const) {
  describe(`notify(trx, citizenId, kind, params) (${store})`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let citizenId: string;

    before(async function () {
      const { databaseUrl } = await realServices();
      if (store === 'PostgreSQL' && !databaseUrl) this.skip();
      db = store === 'PostgreSQL' ? await postgresDatabase(databaseUrl!) : await pgliteDatabase();
      citizenId = randomUUID();
      await db.knex('citizens').insert({ id: citizenId, cyberspace_id: `TEST${citizenId.replaceAll('-', '').slice(0, 20)}`.toUpperCase().slice(0, 24), status: 'active', assurance_level: 'verified', password_hash: 'unused' });
    });
    after(async () => db?.drop());

    const outbox = () => createOutboxQueries(db.knex);

    it('commits with the event and vanishes with its rollback', async () => {
      const { notify } = createNotifier(outbox());
      await db.knex.transaction(async (trx) => notify(trx, citizenId, 'password_changed', { at: new Date().toISOString() }));
      await assert.rejects(db.knex.transaction(async (trx) => {
        await notify(trx, citizenId, 'account_suspended', {});
        throw new Error('the event failed');
      }), /the event failed/);
      const kinds = (await outbox().listEntriesOf(citizenId)).map((row) => row.kind);
      assert.deepEqual(kinds, ['password_changed']);
    });

    it('writes one notice for one idempotency key', async () => {
      const { notify } = createNotifier(outbox());
      await notify(db.knex, citizenId, 'new_device', { isp: 'An ISP' }, { idempotencyKey: 'same-event' });
      await notify(db.knex, citizenId, 'new_device', { isp: 'An ISP' }, { idempotencyKey: 'same-event' });
      assert.equal((await outbox().listEntriesOf(citizenId)).filter((row) => row.idempotency_key === 'same-event').length, 1);
    });

    it('refuses parameters other than times and an ISP name, and unknown kinds', async () => {
      const { notify } = createNotifier(outbox());
      await assert.rejects(notify(db.knex, citizenId, 'password_changed', { name: '张三' } as never), /not allowed/);
      await assert.rejects(notify(db.knex, citizenId, 'password_changed', { at: '110105198407190011' }), /ISO time/);
      await assert.rejects(notify(db.knex, citizenId, 'birthday' as never), /unknown notification kind/);
      await assert.rejects(notify(db.knex, citizenId, 'new_device', { isp: { fr: 'Boutique' } as never }), /unknown language fr/);
      await assert.rejects(notify(db.knex, citizenId, 'new_device', { isp: { en: 'x'.repeat(101) } }), /at most 100 characters/);
      await notify(db.knex, citizenId, 'new_device', { isp: { en: 'Example Shop', 'zh-CN': '示例商城' } });
    });
  });
}
