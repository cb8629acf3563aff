// Back-channel logout deliveries (OIDC Back-Channel Logout 1.0) through a durable outbox, the
// notification outbox's pattern (20261202050000_notifications.ts): a logout is written here
// first and delivered with retries and back-off, so an ISP that is down when a citizen signs
// out or revokes it still learns of it once it is back.
// - account_id is the citizen's account as oidc-provider knows it (the pairwise `sub` and the
//   logout token are computed at delivery, so the token is fresh); sid is the browser session
//   ended, null when none was (revocation, cancellation: the token then names the sub only).
// - A delivered row is deleted: nothing is kept that is not still owed. `failed` rows stay for
//   the operator (`cyberid logout-deliveries list`), with the last reason.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('logout_outbox', (t) => {
    t.bigIncrements('id');
    t.string('client_id', 64).notNullable();
    t.string('account_id', 64).notNullable();
    t.string('sid', 128);
    t.string('status', 10).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('last_error', 200);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['status', 'next_attempt_at'], 'logout_outbox_due_idx');
    t.index(['client_id'], 'logout_outbox_client_idx');
  });
  await knex.raw(`ALTER TABLE logout_outbox ADD CONSTRAINT logout_outbox_status_check CHECK (status IN ('pending', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('logout_outbox');
}
