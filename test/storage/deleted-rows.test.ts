// A delete answers the number of rows it deleted on both durable stores: callers rely on it
// (a passkey removed or not, prune counts), and knex-pglite alone used to answer its raw response.
import assert from 'node:assert/strict';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';

const subjects: Array<{ name: string; open(): Promise<TestDatabase> }> = [
  { name: 'PostgreSQL', open: async () => { const { databaseUrl } = await realServices(); return databaseUrl ? postgresDatabase(databaseUrl) : pgliteDatabase(); } },
  { name: 'PGlite', open: () => pgliteDatabase() },
];

for (const subject of subjects) {
  describe(`deleting rows on ${subject.name}`, () => {
    let db: TestDatabase;
    before(async () => (db = await subject.open()));
    after(async () => db?.drop());

    it('answers how many rows were deleted', async () => {
      await db.knex('oidc_payloads').insert(['a', 'b', 'c'].map((id) => ({ model: 'Grant', id, payload: '{}' })));
      assert.equal(await db.knex('oidc_payloads').whereIn('id', ['a', 'b']).delete(), 2);
      assert.equal(await db.knex('oidc_payloads').where({ id: 'none' }).del(), 0);
    });
  });
}
