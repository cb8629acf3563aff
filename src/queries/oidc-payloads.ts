// Durable oidc-provider models (Grant, RegistrationAccessToken, InitialAccessToken) in the
// generic oidc_payloads table. Runs unchanged on PostgreSQL and PGlite.
import type { Knex } from 'knex';
import type { ModelStore, Payload } from '../storage/model-store.js';

type Row = { payload: Payload; consumed_at: Date | null; expires_at: Date | null };

const TABLE = 'oidc_payloads';

export function createOidcPayloadQueries(knex: Knex): ModelStore & {
  findGrantsByAccount(accountId: string): Promise<Array<{ id: string; payload: Payload }>>;
  findGrantIdsByClient(clientId: string): Promise<string[]>;
  deleteExpired(): Promise<number>;
} {
  const live = () => knex(TABLE).where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()));
  const toPayload = (row: Row | undefined): Payload | undefined => {
    if (!row) return undefined;
    const payload = { ...row.payload };
    if (row.consumed_at) payload.consumed = Math.floor(new Date(row.consumed_at).getTime() / 1000);
    return payload;
  };

  return {
    async upsert(model, id, payload, expiresIn) {
      const { consumed, ...rest } = payload;
      const row = {
        model,
        id,
        payload: JSON.stringify(rest),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        account_id: payload.accountId ?? null,
        client_id: payload.clientId ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
        consumed_at: consumed ? new Date(consumed * 1000) : null,
      };
      await knex(TABLE).insert(row).onConflict(['model', 'id']).merge();
    },
    async find(model, id) {
      return toPayload(await live().where({ model, id }).first('payload', 'consumed_at', 'expires_at'));
    },
    async findByUid(model, uid) {
      return toPayload(await live().where({ model, uid }).first('payload', 'consumed_at', 'expires_at'));
    },
    async findByUserCode(model, userCode) {
      return toPayload(
        await live().where({ model }).whereRaw("payload->>'userCode' = ?", [userCode])
          .first('payload', 'consumed_at', 'expires_at'),
      );
    },
    async consume(model, id) {
      // One UPDATE guarded by "not yet consumed": concurrent callers cannot both win.
      const updated = await live().where({ model, id }).whereNull('consumed_at').update({ consumed_at: knex.fn.now() });
      return updated === 1;
    },
    async destroy(model, id) {
      await knex(TABLE).where({ model, id }).delete();
    },
    async revokeByGrantId(model, grantId) {
      await knex(TABLE).where({ model, grant_id: grantId }).delete();
    },
    async findGrantsByAccount(accountId) {
      const rows: Array<{ id: string; payload: Payload }> = await live()
        .where({ model: 'Grant', account_id: accountId })
        .select('id', 'payload');
      return rows;
    },
    async findGrantIdsByClient(clientId) {
      return live().where({ model: 'Grant', client_id: clientId }).pluck('id');
    },
    async deleteExpired() {
      return knex(TABLE).where('expires_at', '<=', knex.fn.now()).delete();
    },
  };
}
